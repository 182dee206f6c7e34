package dev.lethe.core.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.DeletionRequestReader;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.requests.InMemorySubjectIndex;
import dev.lethe.core.requests.StoredSample;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The request path's rules, without Kafka: intake, one batch at a time, outcome → events, effects. */
class ErasureFlowTest {

    private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");

    private final InMemorySubjectIndex index = new InMemorySubjectIndex();
    private final Pseudonymizer pseudonymizer = new Pseudonymizer("a-test-secret-of-32-bytes-length".getBytes(StandardCharsets.UTF_8));
    private final ErasedSubjects erased = new ErasedSubjects(index, pseudonymizer);
    private final ErasureFlow flow = new ErasureFlow(new DeletionRequestReader(), new RequestDeduplicator(100),
            new ForgetBatcher(1_000, Duration.ofSeconds(10)), index, erased, pseudonymizer, 0.6);
    private long offset;

    private ErasureFlow.Inbound request(String requestId, String subjectId) {
        String json = "{\"requestId\":\"" + requestId + "\",\"subjectId\":\"" + subjectId + "\"}";
        return new ErasureFlow.Inbound(subjectId.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8),
                Map.of(), 0, offset++);
    }

    private ErasureFlow.Inbound garbage() {
        return new ErasureFlow.Inbound(null, new byte[] {(byte) 0xff, '{'}, Map.of(), 0, offset++);
    }

    @Test
    void intakeDeadLettersUnreadableRecordsDropsDuplicatesAndAcknowledgesTheRest() {
        ErasureFlow.Intake intake = flow.intake(List.of(request("r1", "alice"), garbage(), request("r1", "alice"),
                request("r2", "bob")), T0);

        assertThat(intake.deadLetters()).extracting(ErasureFlow.DeadLetter::index).containsExactly(1);
        assertThat(intake.deadLetters().get(0).reason()).isNotBlank();
        assertThat(intake.duplicates()).isEqualTo(1);
        assertThat(intake.events()).extracting(AuditEvent::type).containsOnly(EventTypes.DELETION_RECEIVED);
        assertThat(intake.events()).extracting(AuditEvent::requestId).containsExactly("r1", "r2");
        assertThat(intake.events()).extracting(AuditEvent::subjectRef)
                .containsExactly(pseudonymizer.pseudonymize("alice"), pseudonymizer.pseudonymize("bob"));
        // Both requests are open: nothing past the first may be committed.
        assertThat(intake.offsets()).containsExactly(Map.entry(0, 0L));
    }

    @Test
    void aRequestAcknowledgedBeforeARestartKeepsItsFirstReceiptAndIsNotAcknowledgedTwice() {
        Instant before = T0.minusSeconds(3_600);
        flow.recovered(AuditEvent.received("r-old", pseudonymizer.pseudonymize("alice")), before);
        flow.recovered(AuditEvent.received("r-done", pseudonymizer.pseudonymize("bob")), before);
        flow.recovered(AuditEvent.completed("r-done", pseudonymizer.pseudonymize("bob"), 0, 1,
                new AuditEvent.Mia(Double.NaN, Double.NaN, 0.6, true)), before);

        ErasureFlow.Intake intake = flow.intake(List.of(request("r-old", "alice"), request("r-done", "bob")), T0);

        assertThat(intake.events()).isEmpty();
        assertThat(intake.reacknowledged()).isEqualTo(1);
        assertThat(intake.duplicates()).isEqualTo(1);
        assertThat(intake.accepted()).singleElement().extracting(PendingRequest::receivedAt).isEqualTo(before);
        assertThat(erased.isErased("bob")).as("a completed erasure read back from the audit trail").isTrue();
    }

    @Test
    void oneBatchRunsAtATimeAndItsOffsetsAreCommittedOnlyWithItsOutcome() {
        index.put(new StoredSample("a1", "alice", 1, "train", new float[] {1f}));
        index.put(new StoredSample("a2", "alice", 2, "train", new float[] {2f}));
        ErasureFlow.Intake intake = flow.intake(List.of(request("r1", "alice")), T0);
        flow.acknowledged(intake);
        ForgetBatcher.Batch first = flow.startBatch(T0.plusSeconds(10)).orElseThrow();
        flow.acknowledged(flow.intake(List.of(request("r2", "carol")), T0.plusSeconds(11)));

        assertThat(flow.startBatch(T0.plusSeconds(60))).as("the first batch is still running").isEmpty();
        assertThat(flow.pendingCount()).isEqualTo(2);
        assertThat(flow.oldestPending(T0.plusSeconds(60))).contains(T0);

        BatchResult failed = new BatchResult(BatchResult.Kind.FAILED, first, Map.of("alice", List.of("a1", "a2")),
                null, null, "verification failed: AUC too high", Duration.ofSeconds(3));
        ErasureFlow.Publication publication = flow.publication(failed, Optional.of(4L));

        assertThat(publication.version()).isNull();
        assertThat(publication.tombstones()).isEmpty();
        assertThat(publication.events()).extracting(AuditEvent::type)
                .containsExactly(EventTypes.DELETION_ESCALATED, EventTypes.RETRAIN_REQUIRED);
        assertThat(publication.events().get(0).samplesForgotten()).isEqualTo(2);
        assertThat(publication.offsets()).as("r1 finished, r2 (offset 1) still open").containsExactly(Map.entry(0, 1L));

        ErasureFlow.Effects effects = flow.committed(failed, T0.plusSeconds(70));
        assertThat(effects.makeCurrent()).isFalse();
        assertThat(effects.leavePools()).isEmpty();
        assertThat(effects.escalated()).isEqualTo(1);
        assertThat(effects.requestLatency()).containsExactly(Duration.ofSeconds(70));
        assertThat(erased.isErased("alice")).as("an escalated subject is not erased").isFalse();
        assertThat(index.sampleCount("alice")).isEqualTo(2);
        assertThat(flow.startBatch(T0.plusSeconds(70))).as("the next batch may start").isPresent();
    }

    @Test
    void aBatchWithNothingToUnlearnCompletesAtTheCurrentVersionAndErasesItsSubjects() {
        flow.acknowledged(flow.intake(List.of(request("r1", "nobody")), T0));
        ForgetBatcher.Batch batch = flow.startBatch(T0.plusSeconds(10)).orElseThrow();
        BatchResult empty = new BatchResult(BatchResult.Kind.EMPTY, batch, Map.of("nobody", List.of()), null, null,
                null, Duration.ZERO);

        ErasureFlow.Publication publication = flow.publication(empty, Optional.of(7L));
        assertThat(publication.events()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventTypes.DELETION_COMPLETED);
            assertThat(e.modelVersion()).isEqualTo(7L);
            assertThat(e.samplesForgotten()).isZero();
        });
        assertThat(publication.offsets()).containsExactly(Map.entry(0, 1L));

        ErasureFlow.Effects effects = flow.committed(empty, T0.plusSeconds(11));
        assertThat(effects.completed()).isEqualTo(1);
        assertThat(effects.leavePools()).containsExactly("nobody");
        assertThat(erased.isErased("nobody")).isTrue();
        assertThat(index.isErased("nobody")).as("the index's durable mark").isTrue();
        List<ErasureFlow.Inbound> again = new ArrayList<>(List.of(request("r1", "nobody")));
        assertThat(flow.intake(again, T0.plusSeconds(12)).duplicates()).as("a finished request is not run twice")
                .isEqualTo(1);
    }
}
