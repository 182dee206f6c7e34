package dev.lethe.daemon.ingest;

import dev.lethe.core.testing.TestIndexes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.data.Sample;
import dev.lethe.core.requests.RocksSubjectIndex;
import dev.lethe.core.requests.StoredSample;
import dev.lethe.core.requests.SubjectIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplePoolsTest {

    @TempDir
    Path dir;

    private static StoredSample sample(int i, String split) {
        return new StoredSample("s" + i, "subject-" + i / 10, 1, split, new float[] {i});
    }

    private static Set<String> ids(List<Sample> samples) {
        return samples.stream().map(Sample::sampleId).collect(Collectors.toSet());
    }

    @Test
    void aRestartRestoresThePoolsTheIngestLeftIncludingAnOldIndexOnce() {
        List<StoredSample> old = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            old.add(sample(i, i % 3 == 0 ? "holdout" : "train"));
        }
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            index.putAll(old); // written before pools were persisted
        }
        Set<String> retain;
        Set<String> holdout;
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            SamplePools pools = SamplePools.restore(index, 10, 5, 1, s -> false); // fallback: full scan
            assertThat(pools.retainSize()).isEqualTo(10);
            assertThat(pools.holdoutSize()).isEqualTo(5);
            // One poll as SampleIngestor.handle writes it: samples, pools and offsets in one group.
            index.apply(w -> {
                for (int i = 60; i < 90; i++) {
                    StoredSample s = sample(i, "train");
                    if (w.put(s)) {
                        pools.offer(s);
                    }
                }
                w.removeSample("s1");
                pools.removeSample("s1");
                w.commitOffset(0, 90);
                pools.stage(w);
            });
            pools.removeSubject("subject-2");
            index.apply(w -> {
                w.removeSubject("subject-2");
                w.markErased("subject-2");
            });
            retain = ids(pools.retainSnapshot());
            holdout = ids(pools.holdoutSnapshot());
        }
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            assertThat(index.pool(SubjectIndex.Pool.RETAIN)).isPresent();
            SamplePools pools = SamplePools.restore(index, 10, 5, 1, index::isErased);
            assertThat(ids(pools.retainSnapshot())).isEqualTo(retain).doesNotContain("s1")
                    .noneMatch(id -> id.matches("s2[0-9]"));
            assertThat(ids(pools.holdoutSnapshot())).isEqualTo(holdout).noneMatch(id -> id.matches("s2[0-9]"));
        }
    }

    @Test
    void aRetainBufferDrainedByErasuresIsRefilledInTheBackgroundAndClosingWaitsForIt() throws Exception {
        List<StoredSample> samples = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            samples.add(sample(i, i % 3 == 0 ? "holdout" : "train"));
        }
        java.util.Set<String> erasedSubjects = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            index.putAll(samples);
            SamplePools pools = SamplePools.restore(index, 10, 5, 1, erasedSubjects::contains, 0.5);
            assertThat(pools.topUpIfDrained()).isFalse(); // full
            for (Sample s : pools.retainSnapshot()) {
                String subject = s.subjectId();
                if (erasedSubjects.add(subject)) {
                    pools.removeSubject(subject);
                    index.apply(w -> {
                        w.removeSubject(subject);
                        w.markErased(subject);
                    });
                }
            }
            assertThat(pools.retainSize()).isLessThan(5);

            List<dev.lethe.core.requests.PersistedPools.TopUp> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
            pools.onTopUp(reported::add);
            int before = pools.retainSize();
            assertThat(pools.topUpIfDrained()).isTrue();
            pools.close(); // waits for the refill

            assertThat(pools.retainSize()).isEqualTo(10);
            assertThat(reported).singleElement().satisfies(t -> assertThat(t.retainAdded()).isEqualTo(10 - before));
            assertThat(pools.retainSnapshot()).noneMatch(s -> erasedSubjects.contains(s.subjectId()));
            assertThat(index.pool(SubjectIndex.Pool.RETAIN).orElseThrow().members()).hasSize(10);
            assertThat(pools.topUpIfDrained()).isFalse(); // closed, and no longer drained
        }
    }
}

