package dev.lethe.core.requests;

import static dev.lethe.core.testing.TestIndexes.PSEUDONYMS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testing.ByteSearch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** What an erasure leaves in the index's files: nothing of the subject, while the others' bytes stay findable. */
class RocksIndexRemnantsTest {

    @TempDir
    Path dir;

    private static StoredSample sample(String sampleId, String subjectId, float seed) {
        float[] features = new float[64];
        for (int i = 0; i < features.length; i++) {
            features[i] = seed + i * 0.001f;
        }
        return new StoredSample(sampleId, subjectId, 3, "train", features);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] floatBytes(float[] f) {
        ByteBuffer buf = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(f);
        return buf.array();
    }

    @Test
    void anErasedSubjectsIdAndFeaturesLeaveTheFilesWhileABystandersStay() throws Exception {
        List<StoredSample> erased = new ArrayList<>();
        List<StoredSample> bystanders = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            erased.add(sample("e" + i, "erased-person-" + (i % 4), 1 + i));
            bystanders.add(sample("b" + i, "bystander-" + (i % 4), 100 + i));
        }
        ByteSearch disk = new ByteSearch(dir);
        try (RocksSubjectIndex index = RocksSubjectIndex.open(dir, PSEUDONYMS, "none")) {
            index.putAll(erased);
            index.putAll(bystanders);
        }
        // Reopened, the WAL is flushed into an SST file, as in an index that has run a while.
        try (RocksSubjectIndex index = RocksSubjectIndex.open(dir, PSEUDONYMS, "none")) {
            index.apply(w -> {
                for (int s = 0; s < 4; s++) {
                    w.removeSubject("erased-person-" + s);
                    w.markErased("erased-person-" + s);
                }
            });
            index.awaitErasedCompacted(Duration.ofSeconds(30));

            assertThat(index.isErased("erased-person-2")).isTrue();
            assertThat(index.samplesOf("bystander-1")).hasSize(5);
        }
        for (int s = 0; s < 4; s++) {
            assertThat(disk.filesContaining(utf8("erased-person-" + s))).as("raw id of erased subject %d", s).isEmpty();
            assertThat(disk.filesContaining(utf8("bystander-" + s))).as("raw id of bystander %d", s).isNotEmpty();
        }
        for (int i = 0; i < 20; i++) {
            assertThat(disk.filesContaining(floatBytes(erased.get(i).features()))).as("features of e%d", i).isEmpty();
            assertThat(disk.filesContaining(floatBytes(bystanders.get(i).features()))).as("features of b%d", i)
                    .isNotEmpty();
        }
    }

    @Test
    void rawIdKeysOfAnOlderIndexBecomePseudonymsAtOpenAndLeaveTheFiles() throws Exception {
        StoredSample kept = sample("k1", "still-here-person", 7);
        try (Options options = new Options().setCreateIfMissing(true); RocksDB old = RocksDB.open(options, dir.toString())) {
            old.put(utf8("e/erased-long-ago-person"), new byte[0]);
            old.put(utf8("u/still-here-person\0k1"), new byte[0]);
            old.put(RocksLayout.sampleKey("k1"), RocksLayout.encodeSample(kept));
            old.put(RocksLayout.SIZE_KEY, RocksLayout.longBytes(1));
        }

        try (RocksSubjectIndex index = RocksSubjectIndex.open(dir, PSEUDONYMS, "none")) {
            assertThat(index.isErased("erased-long-ago-person")).isTrue();
            assertThat(index.put(sample("late", "erased-long-ago-person", 1))).isFalse();
            assertThat(index.samplesOf("still-here-person")).containsExactly(kept);
            assertThat(index.sampleCount("still-here-person")).isEqualTo(1);
        }
        ByteSearch disk = new ByteSearch(dir);
        assertThat(disk.filesContaining(utf8("erased-long-ago-person"))).isEmpty();
        assertThat(disk.filesContaining(utf8("u/still-here-person"))).isEmpty();
        assertThat(disk.filesContaining(utf8(PSEUDONYMS.pseudonymize("erased-long-ago-person")))).isNotEmpty();
    }
}
