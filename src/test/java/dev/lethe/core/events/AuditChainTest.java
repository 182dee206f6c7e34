package dev.lethe.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.core.events.AuditChain.Verification;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AuditChainTest {

    private static final Pseudonymizer PSEUDONYMS = Pseudonymizer.fromUtf8("audit-chain-test-secret");
    private static final String ALICE = PSEUDONYMS.pseudonymize("alice@example.com");
    private static final String BOB = PSEUDONYMS.pseudonymize("bob@example.com");
    static final GateRecord VERIFIED = new GateRecord("orthograd", "match-log", true, "passed",
            List.of(new GateRecord.Attack("loss", 0.51, 0.62, 0.58, true, true),
                    new GateRecord.Attack("rmia", 0.53, 0.81, 0.60, true, true)));
    private static final AuditEvent.Mia PASSED = new AuditEvent.Mia(0.51, 0.74, 0.55, true);
    private static final AuditEvent.Mia FAILED = new AuditEvent.Mia(0.68, 0.74, 0.55, false,
            new GateRecord("orthograd", null, true, "insufficient-evidence",
                    List.of(new GateRecord.Attack("loss", 0.68, 0.55, 0.70, false, true))));

    /** The five audit types, in a plausible order. */
    static List<AuditEvent> unchained() {
        return List.of(
                AuditEvent.received("r-1", ALICE),
                AuditEvent.completed("r-1", ALICE, 12, 3, PASSED),
                AuditEvent.escalated("r-2", BOB, 9, FAILED, "membership AUC 0.68 above 0.55 after 200 steps"),
                AuditEvent.rejected("r-3", BOB, "no samples are indexed for this subject"),
                AuditEvent.retrainRequired("r-2", BOB, 9, "escalated requests need a retrain"));
    }

    static List<AuditEvent> chainOfFive() {
        AuditChain chain = AuditChain.genesis();
        return unchained().stream().map(chain::append).toList();
    }

    @Test
    void aChainOfFiveVerifiesAndLinksEachEventToTheOneBefore() {
        List<AuditEvent> events = chainOfFive();

        assertThat(AuditChain.verify(events)).isEqualTo(new Verification(true, -1, null));
        assertThat(events.get(0).prevHash()).isEqualTo(AuditChain.GENESIS_HASH).isEqualTo("0".repeat(64));
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).prevHash()).isEqualTo(events.get(i - 1).hash());
        }
        assertThat(events).extracting(AuditEvent::hash).doesNotHaveDuplicates().allMatch(h -> h.matches("[0-9a-f]{64}"));
    }

    @Test
    void theHashIsSha256OfTheRfc8785CanonicalDataWithoutTheHash() throws Exception {
        AuditEvent first = AuditChain.genesis().append(AuditEvent.completed("r-1", ALICE, 12, 3, PASSED));
        String canonical = "{\"hashAlg\":\"sha256-jcs\","
                + "\"mia\":{\"auc\":0.51,\"aucBefore\":0.74,\"passed\":true,\"threshold\":0.55},"
                + "\"modelVersion\":3,\"prevHash\":\"" + AuditChain.GENESIS_HASH + "\",\"requestId\":\"r-1\","
                + "\"samplesForgotten\":12,\"subjectRef\":\"" + ALICE + "\",\"type\":\"dev.lethe.deletion.completed\"}";

        assertThat(AuditChain.canonicalJson(first)).isEqualTo(canonical);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
        assertThat(first.hash()).isEqualTo(HexFormat.of().formatHex(digest));
        assertThat(first.hashAlg()).isEqualTo(AuditChain.HASH_ALG);
    }

    @Test
    void appendIgnoresWhateverHashesTheEventCameWith() {
        AuditEvent forged = AuditEvent.received("r-1", ALICE).withHashes("a".repeat(64), "b".repeat(64));

        AuditEvent chained = AuditChain.genesis().append(forged);

        assertThat(chained.prevHash()).isEqualTo(AuditChain.GENESIS_HASH);
        assertThat(chained).isEqualTo(AuditChain.genesis().append(AuditEvent.received("r-1", ALICE)));
    }

    record Tamper(String field, UnaryOperator<AuditEvent> change) {
        @Override
        public String toString() {
            return field;
        }
    }

    static Stream<Tamper> tamperings() {
        return Stream.of(
                new Tamper("type", e -> new AuditEvent(EventTypes.DELETION_COMPLETED, e.requestId(), e.subjectRef(),
                        e.samplesForgotten(), e.modelVersion(), e.mia(), e.reason(), e.prevHash(), e.hash())),
                new Tamper("requestId", e -> new AuditEvent(e.type(), "r-999", e.subjectRef(), e.samplesForgotten(),
                        e.modelVersion(), e.mia(), e.reason(), e.prevHash(), e.hash())),
                new Tamper("subjectRef", e -> new AuditEvent(e.type(), e.requestId(), ALICE, e.samplesForgotten(),
                        e.modelVersion(), e.mia(), e.reason(), e.prevHash(), e.hash())),
                new Tamper("samplesForgotten", e -> new AuditEvent(e.type(), e.requestId(), e.subjectRef(),
                        e.samplesForgotten() + 1, e.modelVersion(), e.mia(), e.reason(), e.prevHash(), e.hash())),
                new Tamper("modelVersion", e -> new AuditEvent(e.type(), e.requestId(), e.subjectRef(),
                        e.samplesForgotten(), 4L, e.mia(), e.reason(), e.prevHash(), e.hash())),
                new Tamper("mia.auc", e -> new AuditEvent(e.type(), e.requestId(), e.subjectRef(),
                        e.samplesForgotten(), e.modelVersion(), new AuditEvent.Mia(0.50, 0.74, 0.55, false),
                        e.reason(), e.prevHash(), e.hash())),
                new Tamper("mia.passed", e -> new AuditEvent(e.type(), e.requestId(), e.subjectRef(),
                        e.samplesForgotten(), e.modelVersion(), new AuditEvent.Mia(0.68, 0.74, 0.55, true),
                        e.reason(), e.prevHash(), e.hash())),
                new Tamper("mia removed", e -> new AuditEvent(e.type(), e.requestId(), e.subjectRef(),
                        e.samplesForgotten(), e.modelVersion(), null, e.reason(), e.prevHash(), e.hash())),
                new Tamper("reason", e -> new AuditEvent(e.type(), e.requestId(), e.subjectRef(),
                        e.samplesForgotten(), e.modelVersion(), e.mia(), "all fine", e.prevHash(), e.hash())),
                new Tamper("hashAlg removed (a downgrade to legacy hashing)", e -> new AuditEvent(e.type(),
                        e.requestId(), e.subjectRef(), e.samplesForgotten(), e.modelVersion(), e.mia(), e.reason(),
                        e.prevHash(), e.hash(), null)),
                new Tamper("prevHash", e -> e.withHashes("f".repeat(64), e.hash())),
                new Tamper("hash", e -> e.withHashes(e.prevHash(), "f".repeat(64))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tamperings")
    void tamperingWithAnyFieldIsDetectedAtThatEvent(Tamper tamper) {
        List<AuditEvent> events = new ArrayList<>(chainOfFive());
        AuditEvent original = events.get(2);
        events.set(2, tamper.change().apply(original));
        assertThat(events.get(2)).as("the tampering changes something").isNotEqualTo(original);

        Verification verification = AuditChain.verify(events);

        assertThat(verification.ok()).isFalse();
        assertThat(verification.brokenIndex()).isEqualTo(2);
        assertThat(verification.reason()).isNotBlank();
    }

    @Test
    void rehashingATamperedEventIsDetectedAtTheNextEvent() {
        List<AuditEvent> events = new ArrayList<>(chainOfFive());
        AuditEvent e = events.get(1);
        AuditEvent forged = new AuditEvent(e.type(), e.requestId(), e.subjectRef(), 0, e.modelVersion(), e.mia(),
                e.reason(), null, null);
        events.set(1, AuditChain.resumeFrom(events.get(0).hash()).append(forged));

        Verification verification = AuditChain.verify(events);

        assertThat(verification.brokenIndex()).isEqualTo(2);
        assertThat(verification.reason()).contains("does not link to the hash of event 1");
    }

    @Test
    void reorderingDroppingOrInsertingEventsIsDetectedWhereItHappens() {
        List<AuditEvent> swapped = new ArrayList<>(chainOfFive());
        Collections.swap(swapped, 1, 2);
        assertThat(AuditChain.verify(swapped).brokenIndex()).isEqualTo(1);

        List<AuditEvent> dropped = new ArrayList<>(chainOfFive());
        dropped.remove(3);
        assertThat(AuditChain.verify(dropped).brokenIndex()).isEqualTo(3);

        List<AuditEvent> inserted = new ArrayList<>(chainOfFive());
        inserted.add(4, AuditChain.resumeFrom(inserted.get(3).hash()).append(AuditEvent.received("r-9", ALICE)));
        assertThat(AuditChain.verify(inserted).brokenIndex()).isEqualTo(5);

        List<AuditEvent> truncatedStart = chainOfFive().subList(1, 5);
        assertThat(AuditChain.verify(truncatedStart).brokenIndex()).isEqualTo(0);
        assertThat(AuditChain.verify(chainOfFive().get(0).hash(), truncatedStart).ok()).isTrue();
    }

    @Test
    void resumeFromContinuesAChainAsIfItHadNeverStopped() {
        List<AuditEvent> unchained = unchained();
        AuditChain before = AuditChain.genesis();
        List<AuditEvent> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.add(before.append(unchained.get(i)));
        }

        AuditChain after = AuditChain.resumeFrom(before.lastHash());
        assertThat(after.lastHash()).isEqualTo(all.get(2).hash());
        List<AuditEvent> segment = new ArrayList<>();
        for (int i = 3; i < 5; i++) {
            segment.add(after.append(unchained.get(i)));
        }
        all.addAll(segment);

        assertThat(all).isEqualTo(chainOfFive());
        assertThat(AuditChain.verify(all).ok()).isTrue();
        assertThat(AuditChain.verify(all.get(2).hash(), segment).ok()).isTrue();
    }

    @Test
    void resumeFromRejectsAnythingButAHash() {
        assertThatThrownBy(() -> AuditChain.resumeFrom("xyz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditChain.resumeFrom("A".repeat(64))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditChain.resumeFrom(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aChainReadBackFromPublishedCloudEventsStillVerifies() {
        List<AuditEvent> events = new ArrayList<>(chainOfFive());
        AuditChain more = AuditChain.resumeFrom(events.get(4).hash());
        events.add(more.append(AuditEvent.completed("r-4", ALICE, 5, 4,
                new AuditEvent.Mia(Double.NaN, 0.7, 0.55, true))));

        List<AuditEvent> readBack = new ArrayList<>();
        for (AuditEvent e : events) {
            byte[] published = CloudEventJson.write(CloudEventJson.audit(Instant.parse("2026-11-26T12:00:00Z"), e));
            readBack.add(CloudEventJson.auditEventOf(CloudEventJson.parse(published)));
        }

        assertThat(readBack).isEqualTo(events);
        assertThat(AuditChain.verify(readBack).ok()).isTrue();
    }

    @Test
    void theUnlearningRecordOfACompletedEventIsChainedPublishedAndReadBack() {
        UnlearningRecord record = new UnlearningRecord("orthograd-global", "^head\\.",
                List.of("head.0.weight", "head.2.bias"), 16, "embed-dense-head");
        AuditChain chain = AuditChain.genesis();
        AuditEvent done = chain.append(AuditEvent.completed("r-1", ALICE, 12, 3, PASSED, record));
        AuditEvent next = chain.append(AuditEvent.received("r-2", BOB));
        assertThat(done.unlearning()).isEqualTo(record);

        byte[] published = CloudEventJson.write(CloudEventJson.audit(Instant.parse("2026-12-01T12:00:00Z"), done));
        AuditEvent readBack = CloudEventJson.auditEventOf(CloudEventJson.parse(published));
        assertThat(readBack).isEqualTo(done);
        assertThat(AuditChain.verify(List.of(readBack, next)).ok()).isTrue();

        // The record is part of what is hashed: claiming fewer changed tensors breaks the chain.
        AuditEvent understated = new AuditEvent(done.type(), done.requestId(), done.subjectRef(), done.samplesForgotten(),
                done.modelVersion(), done.mia(), done.reason(), done.prevHash(), done.hash(), done.hashAlg(),
                new UnlearningRecord("orthograd-global", "^head\\.", List.of("head.2.bias"), 16, "embed-dense-head"));
        assertThat(AuditChain.verify(List.of(understated, next)).ok()).isFalse();
    }

    @Test
    void anAuditEventRefusesARawSubjectIdInPlaceOfTheReference() {
        assertThatThrownBy(() -> AuditEvent.received("r-1", "alice@example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("alice");
        assertThatThrownBy(() -> new AuditEvent("dev.lethe.deletion.unknown", "r-1", ALICE, 0, null, null, null,
                null, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
