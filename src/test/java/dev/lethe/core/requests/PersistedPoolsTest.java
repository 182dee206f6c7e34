package dev.lethe.core.requests;

import dev.lethe.core.testing.TestIndexes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.core.data.Sample;
import dev.lethe.core.requests.SubjectIndex.Pool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistedPoolsTest {

    private static final int RETAIN = 8;
    private static final int HOLDOUT = 4;

    @TempDir
    Path dir;

    private final Set<String> erased = new HashSet<>();
    private final Predicate<String> isErased = erased::contains;

    private static StoredSample sample(int i) {
        return new StoredSample("s" + i, "subject-" + (i / 5), i % 10, i % 4 == 0 ? "holdout" : "train",
                new float[] {i, -i});
    }

    /** What the ingest does per poll: samples, the pools' changes and the offset in one group. */
    private static void ingest(SubjectIndex index, PersistedPools pools, int from, int to) {
        index.apply(w -> {
            for (int i = from; i < to; i++) {
                StoredSample s = sample(i);
                if (w.put(s)) {
                    pools.offer(s);
                }
            }
            w.commitOffset(0, to);
            pools.stage(w);
        });
    }

    private static Set<String> ids(List<Sample> samples) {
        Set<String> ids = new HashSet<>();
        samples.forEach(s -> ids.add(s.sampleId()));
        return ids;
    }

    private PersistedPools.Restored restore(SubjectIndex index) {
        return PersistedPools.restore(index, RETAIN, HOLDOUT, 7, isErased);
    }

    @Test
    void poolsSurviveARestartWithTheSameMembersAndCounters() {
        Set<String> retain;
        Set<String> holdout;
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            PersistedPools pools = restore(index).pools();
            for (int from = 0; from < 200; from += 25) {
                ingest(index, pools, from, from + 25);
            }
            retain = ids(pools.retainSnapshot());
            holdout = ids(pools.holdoutSnapshot());
            assertThat(retain).hasSize(RETAIN);
            assertThat(holdout).hasSize(HOLDOUT);
            assertThat(pools.seen(Pool.RETAIN)).isEqualTo(150);
            assertThat(pools.seen(Pool.HOLDOUT)).isEqualTo(50);
        }

        try (RocksSubjectIndex reopened = TestIndexes.open(dir)) {
            PersistedPools.Restored restored = restore(reopened);
            assertThat(restored.source()).isEqualTo(PersistedPools.Source.PERSISTED);
            assertThat(ids(restored.pools().retainSnapshot())).isEqualTo(retain);
            assertThat(ids(restored.pools().holdoutSnapshot())).isEqualTo(holdout);
            assertThat(restored.pools().seen(Pool.RETAIN)).isEqualTo(150);
            assertThat(restored.pools().seen(Pool.HOLDOUT)).isEqualTo(50);
            assertThat(restored.pools().retainSnapshot()).allSatisfy(s ->
                    assertThat(s.features()).containsExactly(Float.parseFloat(s.sampleId().substring(1)),
                            -Float.parseFloat(s.sampleId().substring(1))));
            // The counter carries on: the next offer is the 151st train sample.
            ingest(reopened, restored.pools(), 200, 204);
            assertThat(restored.pools().seen(Pool.RETAIN)).isEqualTo(153);
        }
    }

    @Test
    void anErasedSubjectsSamplesLeaveThePersistedPoolInTheErasureGroup() {
        String victim;
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            PersistedPools pools = restore(index).pools();
            ingest(index, pools, 0, 10);
            victim = pools.retainSnapshot().get(0).subjectId();
            // As the daemon: out of the in-memory pools at batch start, out of the index when done.
            pools.removeSubject(victim);
            index.apply(w -> {
                w.removeSubject(victim);
                w.markErased(victim);
            });
            assertThat(pools.retainSnapshot()).noneMatch(s -> s.subjectId().equals(victim));
            // The in-memory removal was never staged: the index's own removal is what counts.
        }

        try (RocksSubjectIndex reopened = TestIndexes.open(dir)) {
            assertThat(reopened.pool(Pool.RETAIN).orElseThrow().members()).noneMatch(s -> s.subjectId().equals(victim));
            assertThat(reopened.pool(Pool.HOLDOUT).orElseThrow().members()).noneMatch(s -> s.subjectId().equals(victim));
            PersistedPools restored = restore(reopened).pools();
            assertThat(restored.retainSnapshot()).isNotEmpty().noneMatch(s -> s.subjectId().equals(victim));
            assertThat(restored.holdoutSnapshot()).isNotEmpty().noneMatch(s -> s.subjectId().equals(victim));
        }
    }

    @Test
    void aTombstonedSampleLeavesThePersistedPool() {
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            PersistedPools pools = restore(index).pools();
            ingest(index, pools, 0, 6);
            assertThat(ids(pools.retainSnapshot())).contains("s1");
            index.apply(w -> {
                w.removeSample("s1");
                pools.removeSample("s1");
                pools.stage(w);
            });
            assertThat(ids(pools.retainSnapshot())).doesNotContain("s1");
        }
        try (RocksSubjectIndex reopened = TestIndexes.open(dir)) {
            assertThat(ids(restore(reopened).pools().retainSnapshot())).doesNotContain("s1").contains("s2");
        }
    }

    @Test
    void poolChangesAreWrittenWithTheSamplesAndOffsetsOrNotAtAll() {
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            PersistedPools pools = restore(index).pools();
            ingest(index, pools, 0, 3);
            // A poll whose write fails after the pools staged their changes: nothing of it lands.
            assertThatThrownBy(() -> index.apply(w -> {
                for (int i = 3; i < 9; i++) {
                    StoredSample s = sample(i);
                    w.put(s);
                    pools.offer(s);
                }
                w.commitOffset(0, 9);
                pools.stage(w);
                throw new IllegalStateException("crash before the write");
            })).isInstanceOf(IllegalStateException.class);
        }

        try (RocksSubjectIndex reopened = TestIndexes.open(dir)) {
            assertThat(reopened.committedOffset(0)).contains(3L);
            assertThat(reopened.size()).isEqualTo(3);
            PersistedPools restored = restore(reopened).pools();
            assertThat(ids(restored.retainSnapshot())).isEqualTo(Set.of("s1", "s2"));
            assertThat(ids(restored.holdoutSnapshot())).isEqualTo(Set.of("s0"));
            assertThat(restored.seen(Pool.RETAIN)).isEqualTo(2);
            // The poll is read again from the topic and offered to the same state.
            ingest(reopened, restored, 3, 9);
            assertThat(ids(restored.retainSnapshot())).isEqualTo(Set.of("s1", "s2", "s3", "s5", "s6", "s7"));
        }
        try (RocksSubjectIndex again = TestIndexes.open(dir)) {
            assertThat(ids(restore(again).pools().retainSnapshot())).isEqualTo(Set.of("s1", "s2", "s3", "s5", "s6", "s7"));
        }
    }

    @Test
    void anIndexWithoutPersistedPoolsIsScannedOnceAndThenReadFromThePools() {
        List<StoredSample> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(sample(i));
        }
        try (RocksSubjectIndex old = TestIndexes.open(dir)) {
            old.putAll(all); // as an index written before pools were persisted
            old.markErased("subject-3");
            assertThat(old.pool(Pool.RETAIN)).isEmpty();
        }
        erased.add("subject-2");

        Set<String> rebuilt;
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            PersistedPools.Restored restored = restore(index);
            assertThat(restored.source()).isEqualTo(PersistedPools.Source.SCANNED);
            assertThat(restored.reason()).contains("no persisted sample pools");
            assertThat(restored.pools().retainSize()).isEqualTo(RETAIN);
            assertThat(restored.pools().holdoutSize()).isEqualTo(HOLDOUT);
            assertThat(restored.pools().retainSnapshot()).noneMatch(s -> s.subjectId().equals("subject-2"));
            assertThat(restored.pools().seen(Pool.RETAIN) + restored.pools().seen(Pool.HOLDOUT)).isEqualTo(95);
            rebuilt = ids(restored.pools().retainSnapshot());
        }
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            PersistedPools.Restored restored = restore(index);
            assertThat(restored.source()).isEqualTo(PersistedPools.Source.PERSISTED);
            assertThat(ids(restored.pools().retainSnapshot())).isEqualTo(rebuilt);
        }
        // Other pool sizes: rebuilt again, and stale members are gone from disk.
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            PersistedPools.Restored restored = PersistedPools.restore(index, 3, 2, 7, isErased);
            assertThat(restored.source()).isEqualTo(PersistedPools.Source.SCANNED);
            assertThat(restored.reason()).contains("retain 8 → 3");
            assertThat(index.pool(Pool.RETAIN).orElseThrow().members()).hasSize(3);
            assertThat(index.pool(Pool.HOLDOUT).orElseThrow().capacity()).isEqualTo(2);
        }
    }

    @Test
    void membersWhoseSubjectTurnsOutErasedAtRestoreAreDroppedAndForgottenOnDisk() {
        try (InMemorySubjectIndex index = new InMemorySubjectIndex()) {
            PersistedPools pools = restore(index).pools();
            ingest(index, pools, 0, 10);
            assertThat(pools.retainSnapshot()).anyMatch(s -> s.subjectId().equals("subject-0"));
            // Erased per the audit trail, but the crash came before the index write.
            erased.add("subject-0");
            PersistedPools.Restored restored = restore(index);
            assertThat(restored.dropped()).isEqualTo(5); // s1, s2, s3 retained; s0, s4 holdout
            assertThat(restored.pools().retainSnapshot()).noneMatch(s -> s.subjectId().equals("subject-0"));
            assertThat(index.pool(Pool.RETAIN).orElseThrow().members()).noneMatch(s -> s.subjectId().equals("subject-0"));
            assertThat(restored.pools().offer(sample(4))).isFalse();
        }
    }

    @Test
    void aSampleWrittenAgainIsReplacedInItsSlotAndMovesPoolWhenItsSplitChanges() {
        try (InMemorySubjectIndex index = new InMemorySubjectIndex()) {
            PersistedPools pools = restore(index).pools();
            ingest(index, pools, 0, 3);
            StoredSample newer = new StoredSample("s1", "subject-0", 9, "train", new float[] {42});
            index.apply(w -> {
                w.put(newer);
                pools.offer(newer);
                pools.stage(w);
            });
            assertThat(pools.retainSnapshot()).hasSize(2).anyMatch(s -> s.features()[0] == 42f);
            assertThat(pools.seen(Pool.RETAIN)).isEqualTo(2);
            StoredSample moved = new StoredSample("s1", "subject-0", 9, "holdout", new float[] {43});
            index.apply(w -> {
                w.put(moved);
                pools.offer(moved);
                pools.stage(w);
            });
            assertThat(ids(pools.retainSnapshot())).isEqualTo(Set.of("s2"));
            assertThat(ids(pools.holdoutSnapshot())).isEqualTo(Set.of("s0", "s1"));
            assertThat(ids(restore(index).pools().holdoutSnapshot())).isEqualTo(Set.of("s0", "s1"));
            assertThat(ids(restore(index).pools().retainSnapshot())).isEqualTo(Set.of("s2"));
        }
    }

    /** As the daemon erases: out of the in-memory pools, then out of the index, marked erased. */
    private void erase(SubjectIndex index, PersistedPools pools, String subject) {
        erased.add(subject);
        pools.removeSubject(subject);
        index.apply(w -> {
            w.removeSubject(subject);
            w.markErased(subject);
        });
    }

    @Test
    void aPoolDrainedByErasuresIsRefilledFromTheIndexAndTheRefillIsPersisted() {
        Set<String> refilled;
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            PersistedPools pools = restore(index).pools();
            ingest(index, pools, 0, 200);
            // Erase every subject with a retain member: the retain buffer is empty, no new samples come.
            for (Sample s : pools.retainSnapshot()) {
                if (!erased.contains(s.subjectId())) {
                    erase(index, pools, s.subjectId());
                }
            }
            assertThat(pools.retainSize()).isZero();
            assertThat(pools.drained(0.5)).isTrue();

            PersistedPools.TopUp topUp = pools.topUp(index, 0.5, 11);

            assertThat(topUp.retainAdded()).isEqualTo(RETAIN);
            assertThat(topUp.holdoutAdded()).isZero(); // the holdout pool was not below half
            assertThat(pools.retainSize()).isEqualTo(RETAIN);
            assertThat(pools.drained(0.5)).isFalse();
            assertThat(pools.retainSnapshot()).noneMatch(s -> erased.contains(s.subjectId()))
                    .allMatch(s -> index.get(s.sampleId()).isPresent());
            long[] survivingTrain = new long[1];
            index.forEachSample(s -> survivingTrain[0] += s.split().equals("train") ? 1 : 0);
            // The buffer is now a uniform sample of the surviving train samples: its counter is their number.
            assertThat(pools.seen(Pool.RETAIN)).isEqualTo(survivingTrain[0]).isLessThan(150);
            refilled = ids(pools.retainSnapshot());
        }
        try (RocksSubjectIndex reopened = TestIndexes.open(dir)) {
            PersistedPools.Restored restored = restore(reopened);
            assertThat(restored.source()).isEqualTo(PersistedPools.Source.PERSISTED);
            assertThat(ids(restored.pools().retainSnapshot())).isEqualTo(refilled);
        }
    }

    @Test
    void aTopUpLeavesPoolsAboveTheThresholdAlone() {
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            PersistedPools pools = restore(index).pools();
            ingest(index, pools, 0, 200);
            erase(index, pools, pools.retainSnapshot().get(0).subjectId());
            Set<String> before = ids(pools.retainSnapshot());

            PersistedPools.TopUp topUp = pools.topUp(index, 0.5, 11);

            assertThat(topUp.changed()).isFalse();
            assertThat(ids(pools.retainSnapshot())).isEqualTo(before);
        }
    }

    @Test
    void refilledSamplesAreAUniformDrawFromTheSurvivors() {
        // 400 drains and refills of a 8-slot buffer over 50 surviving train samples: each survivor
        // should be drawn 400·8/50 = 64 times; a biased draw (e.g. always the first found) is far off.
        int[] counts = new int[200];
        for (int round = 0; round < 400; round++) {
            InMemorySubjectIndex index = new InMemorySubjectIndex();
            Set<String> gone = new HashSet<>();
            PersistedPools pools = new PersistedPools(RETAIN, HOLDOUT, round, gone::contains);
            index.apply(w -> {
                for (int i = 0; i < 67; i++) {
                    StoredSample s = sample(i);
                    w.put(s);
                    pools.offer(s);
                }
                pools.stage(w);
            });
            for (Sample s : pools.retainSnapshot()) {
                pools.removeSample(s.sampleId());
            }
            pools.topUp(index, 0.5, 1000L + round);
            for (Sample s : pools.retainSnapshot()) {
                counts[Integer.parseInt(s.sampleId().substring(1))]++;
            }
        }
        int drawn = 0;
        int candidates = 0;
        for (int i = 0; i < 67; i++) {
            if (sample(i).split().equals("train")) {
                candidates++;
                drawn += counts[i];
            }
        }
        assertThat(drawn).isEqualTo(400 * RETAIN);
        double expected = (double) drawn / candidates;
        for (int i = 0; i < 67; i++) {
            if (sample(i).split().equals("train")) {
                assertThat((double) counts[i]).as("draws of s%d", i).isBetween(expected * 0.55, expected * 1.45);
            }
        }
    }
}
