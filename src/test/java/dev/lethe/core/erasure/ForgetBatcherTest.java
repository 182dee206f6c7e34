package dev.lethe.core.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.erasure.ForgetBatcher.Batch;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ForgetBatcherTest {

    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static final Duration LINGER = Duration.ofSeconds(30);

    private final ForgetBatcher batcher = new ForgetBatcher(100, LINGER);

    private static PendingRequest request(String id, String subject, int secondsAfterT0) {
        return new PendingRequest(id, subject, T0.plusSeconds(secondsAfterT0));
    }

    @Test
    void nothingIsDueWhileFewSamplesArePendingAndNoRequestHasLingered() {
        assertThat(batcher.poll(T0)).isEmpty();

        batcher.offer(request("r1", "alice", 0), 40);
        batcher.offer(request("r2", "bob", 1), 40);

        assertThat(batcher.poll(T0.plusSeconds(29))).isEmpty();
        assertThat(batcher.pendingCount()).isEqualTo(2);
        assertThat(batcher.pendingSamples()).isEqualTo(80);
    }

    @Test
    void aBatchClosesAsSoonAsItsSamplesReachTheMaximum() {
        batcher.offer(request("r1", "alice", 0), 40);
        batcher.offer(request("r2", "bob", 1), 60);
        batcher.offer(request("r3", "carol", 2), 10);

        Batch batch = batcher.poll(T0.plusSeconds(2)).orElseThrow();

        assertThat(batch.subjectIds()).containsExactly("alice", "bob");
        assertThat(batch.requests()).extracting(PendingRequest::requestId).containsExactly("r1", "r2");
        assertThat(batch.totalSamples()).isEqualTo(100);
        assertThat(batch.oldestReceivedAt()).isEqualTo(T0);
        assertThat(batcher.poll(T0.plusSeconds(2))).as("carol waits for more or for the linger").isEmpty();
        assertThat(batcher.pendingCount()).isEqualTo(1);
    }

    @Test
    void aBatchClosesBeforeTheSubjectThatWouldOverflowIt() {
        batcher.offer(request("r1", "alice", 0), 60);
        batcher.offer(request("r2", "bob", 1), 60);

        Batch batch = batcher.poll(T0.plusSeconds(1)).orElseThrow();

        assertThat(batch.subjectIds()).containsExactly("alice");
        assertThat(batch.totalSamples()).isEqualTo(60);
        assertThat(batcher.pendingSubjects()).isEqualTo(1);
    }

    @Test
    void aBatchClosesWhenTheOldestRequestHasWaitedTheLingerTime() {
        batcher.offer(request("r1", "alice", 0), 5);
        batcher.offer(request("r2", "bob", 10), 5);

        assertThat(batcher.nextDeadline()).contains(T0.plus(LINGER));
        assertThat(batcher.poll(T0.plus(LINGER).minusMillis(1))).isEmpty();
        Batch batch = batcher.poll(T0.plus(LINGER)).orElseThrow();

        assertThat(batch.subjectIds()).containsExactly("alice", "bob");
        assertThat(batch.totalSamples()).isEqualTo(10);
        assertThat(batcher.pendingCount()).isZero();
        assertThat(batcher.nextDeadline()).isEmpty();
    }

    @Test
    void requestsForTheSameSubjectAreMergedAndItsSamplesCountedOnce() {
        batcher.offer(request("r1", "alice", 0), 30);
        batcher.offer(request("r2", "bob", 1), 20);
        batcher.offer(request("r3", "alice", 2), 35);

        assertThat(batcher.pendingSamples()).as("alice counted once, at her larger count").isEqualTo(55);
        Batch batch = batcher.poll(T0.plus(LINGER)).orElseThrow();

        assertThat(batch.subjectIds()).containsExactly("alice", "bob");
        assertThat(batch.requests()).extracting(PendingRequest::requestId).containsExactly("r1", "r2", "r3");
        assertThat(batch.totalSamples()).isEqualTo(55);
    }

    @Test
    void aSubjectLargerThanTheMaximumFormsABatchAlone() {
        batcher.offer(request("r1", "alice", 0), 10);
        batcher.offer(request("r2", "huge", 1), 250);
        batcher.offer(request("r3", "bob", 2), 10);

        Batch first = batcher.poll(T0.plusSeconds(2)).orElseThrow();
        Batch second = batcher.poll(T0.plusSeconds(2)).orElseThrow();

        assertThat(first.subjectIds()).containsExactly("alice");
        assertThat(second.subjectIds()).containsExactly("huge");
        assertThat(second.totalSamples()).isEqualTo(250);
        assertThat(batcher.poll(T0.plusSeconds(2))).isEmpty();
        assertThat(batcher.pendingSubjects()).isEqualTo(1);
    }

    @Test
    void severalDueBatchesDrainOnePollAtATime() {
        for (int i = 0; i < 5; i++) {
            batcher.offer(request("r" + i, "s" + i, i), 50);
        }

        int batches = 0;
        long samples = 0;
        Optional<Batch> next;
        while ((next = batcher.poll(T0.plus(LINGER).plusSeconds(10))).isPresent()) {
            batches++;
            samples += next.get().totalSamples();
            assertThat(next.get().totalSamples()).isLessThanOrEqualTo(100);
        }

        assertThat(batches).isEqualTo(3);
        assertThat(samples).isEqualTo(250);
        assertThat(batcher.pendingCount()).isZero();
    }

    @Test
    void aSubjectWithNoSamplesStillLeavesInABatch() {
        batcher.offer(request("r1", "nobody", 0), 0);

        Batch batch = batcher.poll(T0.plus(LINGER)).orElseThrow();

        assertThat(batch.subjectIds()).containsExactly("nobody");
        assertThat(batch.totalSamples()).isZero();
    }

    @Test
    void pendingAgeIsMeasuredFromTheOldestRequest() {
        assertThat(batcher.oldestPendingAge(T0)).isEqualTo(Duration.ZERO);

        batcher.offer(request("r1", "alice", 0), 1);
        batcher.offer(request("r2", "bob", 5), 1);

        assertThat(batcher.oldestPendingAge(T0.plusSeconds(12))).isEqualTo(Duration.ofSeconds(12));
        assertThat(batcher.pendingCount()).isEqualTo(2);
    }

    @Test
    void theNextDeadlineFollowsTakenBatchesAndOlderRequestsTakenUpAgain() {
        batcher.offer(request("r1", "a", 10), 60);
        batcher.offer(request("r2", "b", 20), 60);
        assertThat(batcher.nextDeadline()).contains(T0.plusSeconds(10).plus(LINGER));
        // A request acknowledged before a restart comes back with its first receipt time.
        batcher.offer(request("r0", "c", 5), 10);
        assertThat(batcher.nextDeadline()).contains(T0.plusSeconds(5).plus(LINGER));

        Optional<Batch> first = batcher.poll(T0.plusSeconds(21));
        assertThat(first).isPresent();
        assertThat(first.get().subjectIds()).containsExactly("a");
        assertThat(batcher.nextDeadline()).contains(T0.plusSeconds(5).plus(LINGER));
        assertThat(batcher.poll(T0.plusSeconds(34))).isEmpty();
        assertThat(batcher.poll(T0.plusSeconds(35)).get().subjectIds()).containsExactly("b", "c");
        assertThat(batcher.nextDeadline()).isEmpty();

        batcher.offer(request("r3", "d", 40), 1);
        assertThat(batcher.nextDeadline()).contains(T0.plusSeconds(40).plus(LINGER));
        assertThat(batcher.oldestPendingAge(T0.plusSeconds(45))).isEqualTo(Duration.ofSeconds(5));
    }
}
