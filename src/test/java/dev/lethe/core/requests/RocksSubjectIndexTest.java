package dev.lethe.core.requests;

import dev.lethe.core.testing.TestIndexes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksSubjectIndexTest {

    @TempDir
    Path dir;

    private static StoredSample sample(String sampleId, String subjectId, float... features) {
        return new StoredSample(sampleId, subjectId, 1, "train", features);
    }

    @Test
    void samplesErasedMarksOffsetsAndSizeSurviveCloseAndReopen() {
        List<StoredSample> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(sample("s" + i, "subject-" + (i % 5), i, -i, i / 3f));
        }
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            index.apply(w -> {
                w.putAll(batch);
                w.commitOffset(0, 50);
                w.commitOffset(2, 17);
            });
            index.apply(w -> {
                w.removeSubject("subject-4");
                w.markErased("subject-4");
            });
        }

        try (RocksSubjectIndex reopened = TestIndexes.open(dir)) {
            assertThat(reopened.size()).isEqualTo(40);
            assertThat(reopened.samplesOf("subject-1")).hasSize(10)
                    .containsExactlyInAnyOrderElementsOf(batch.stream()
                            .filter(s -> s.subjectId().equals("subject-1")).toList());
            assertThat(reopened.get("s7")).contains(batch.get(7));
            assertThat(reopened.samplesOf("subject-4")).isEmpty();
            assertThat(reopened.isErased("subject-4")).isTrue();
            assertThat(reopened.put(sample("late", "subject-4", 1f))).isFalse();
            assertThat(reopened.committedOffset(0)).contains(50L);
            assertThat(reopened.committedOffset(2)).contains(17L);
            assertThat(reopened.committedOffset(1)).isEmpty();
        }
    }

    @Test
    void samplesAndTheirOffsetAreWrittenTogetherOrNotAtAllAcrossARestart() {
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            index.apply(w -> {
                w.put(sample("a", "alice", 1f));
                w.commitOffset(0, 1);
            });
            assertThatThrownBy(() -> index.apply(w -> {
                w.put(sample("b", "bob", 2f));
                w.commitOffset(0, 2);
                throw new IllegalStateException("crash before the batch is written");
            })).isInstanceOf(IllegalStateException.class);
            index.apply(w -> {
                w.put(sample("c", "carol", 3f));
                w.commitOffset(0, 3);
            });
        }

        try (RocksSubjectIndex reopened = TestIndexes.open(dir)) {
            assertThat(reopened.committedOffset(0)).contains(3L);
            assertThat(reopened.get("a")).isPresent();
            assertThat(reopened.get("b")).as("its offset never became visible either").isEmpty();
            assertThat(reopened.get("c")).isPresent();
            assertThat(reopened.size()).isEqualTo(2);
        }
    }

    @Test
    void featuresAreStoredAsLittleEndianFloat32AfterTheHeader() {
        StoredSample s = new StoredSample("id", "subj", 4, "train", new float[] {1.5f, -2f});

        byte[] value = RocksLayout.encodeSample(s);

        ByteBuffer tail = ByteBuffer.wrap(value, value.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(tail.getFloat()).isEqualTo(1.5f);
        assertThat(tail.getFloat()).isEqualTo(-2f);
        assertThat(value).hasSize(1 + 4 + (4 + 4) + (4 + 5) + 4 + 8);
        assertThat(RocksLayout.decodeSample("id", value)).isEqualTo(s);
    }

    @Test
    void forEachSampleVisitsEveryStoredSampleOnceAfterAReopen() {
        try (RocksSubjectIndex index = TestIndexes.open(dir)) {
            index.putAll(java.util.List.of(new StoredSample("x1", "alice", 1, "train", new float[] {1}),
                    new StoredSample("x2", "alice", 2, "holdout", new float[] {2}),
                    new StoredSample("y1", "bob", 3, "train", new float[] {3})));
            index.removeSample("x2");
        }
        try (RocksSubjectIndex reopened = TestIndexes.open(dir)) {
            java.util.List<StoredSample> seen = new java.util.ArrayList<>();
            reopened.forEachSample(seen::add);
            assertThat(seen).extracting(StoredSample::sampleId).containsExactly("x1", "y1");
            assertThat(seen.get(1).subjectId()).isEqualTo("bob");
            assertThat(reopened.sampleCount("alice")).isEqualTo(1);
        }
    }

    @Test
    void aClosedIndexRefusesToBeUsed() {
        RocksSubjectIndex index = TestIndexes.open(dir);
        index.close();
        index.close();

        assertThatThrownBy(() -> index.get("x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> index.put(sample("x", "y"))).isInstanceOf(IllegalStateException.class);
    }
}
