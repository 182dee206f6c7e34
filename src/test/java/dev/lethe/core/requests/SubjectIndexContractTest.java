package dev.lethe.core.requests;

import dev.lethe.core.testing.TestIndexes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The contract of {@link SubjectIndex}, run against every implementation. */
class SubjectIndexContractTest {

    enum Kind {
        IN_MEMORY {
            @Override
            SubjectIndex open(Path dir) {
                return new InMemorySubjectIndex();
            }
        },
        ROCKS_DB {
            @Override
            SubjectIndex open(Path dir) {
                return TestIndexes.open(dir.resolve("index"));
            }
        };

        abstract SubjectIndex open(Path dir);
    }

    @TempDir
    Path dir;

    private final List<SubjectIndex> opened = new ArrayList<>();

    private SubjectIndex open(Kind kind) {
        SubjectIndex index = kind.open(dir);
        opened.add(index);
        return index;
    }

    @AfterEach
    void closeIndexes() {
        opened.forEach(SubjectIndex::close);
    }

    static StoredSample sample(String sampleId, String subjectId) {
        return new StoredSample(sampleId, subjectId, sampleId.length() % 10, "train",
                new float[] {sampleId.hashCode(), -0.0f, Float.MIN_VALUE, Float.NaN, 1e30f});
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aStoredSampleComesBackWithEveryFieldAndFeatureBitIntact(Kind kind) {
        SubjectIndex index = open(kind);
        StoredSample stored = new StoredSample("img-1", "alice", 7, "holdout",
                new float[] {0.5f, -0.0f, Float.NaN, Float.MAX_VALUE, Float.MIN_VALUE, -3.25f});

        assertThat(index.put(stored)).isTrue();

        StoredSample read = index.get("img-1").orElseThrow();
        assertThat(read).isEqualTo(stored);
        assertThat(read.features()).containsExactly(stored.features());
        assertThat(index.get("img-2")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void samplesOfReturnsExactlyTheSubjectsSamplesEvenWhenIdsShareAPrefix(Kind kind) {
        SubjectIndex index = open(kind);
        index.putAll(List.of(sample("a1", "a"), sample("a2", "a"), sample("ab1", "ab"),
                sample("slash1", "a/b"), sample("b1", "b")));

        assertThat(index.samplesOf("a")).extracting(StoredSample::sampleId).containsExactlyInAnyOrder("a1", "a2");
        assertThat(index.samplesOf("ab")).extracting(StoredSample::sampleId).containsExactly("ab1");
        assertThat(index.samplesOf("a/b")).extracting(StoredSample::sampleId).containsExactly("slash1");
        assertThat(index.samplesOf("nobody")).isEmpty();
        assertThat(index.size()).isEqualTo(5);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void sampleCountCountsExactlyTheSubjectsSamplesAndFollowsRemovals(Kind kind) {
        SubjectIndex index = open(kind);
        index.putAll(List.of(sample("a1", "a"), sample("a2", "a"), sample("ab1", "ab"),
                sample("slash1", "a/b"), sample("b1", "b")));

        assertThat(index.sampleCount("a")).isEqualTo(2);
        assertThat(index.sampleCount("ab")).isEqualTo(1);
        assertThat(index.sampleCount("a/b")).isEqualTo(1);
        assertThat(index.sampleCount("nobody")).isZero();
        index.removeSample("a1");
        index.removeSubject("b");
        assertThat(index.sampleCount("a")).isEqualTo(1);
        assertThat(index.sampleCount("b")).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void forEachSampleVisitsEveryStoredSampleOnceAndNoRemovedOne(Kind kind) {
        SubjectIndex index = open(kind);
        index.putAll(List.of(sample("a1", "a"), sample("a2", "a"), sample("b1", "b"), sample("c1", "c")));
        index.removeSample("a2");
        index.removeSubject("c");

        List<StoredSample> seen = new ArrayList<>();
        index.forEachSample(seen::add);

        assertThat(seen).extracting(StoredSample::sampleId).containsExactlyInAnyOrder("a1", "b1");
        assertThat(seen).contains(sample("a1", "a"), sample("b1", "b"));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void puttingASampleAgainReplacesItAndMovesItToItsNewSubject(Kind kind) {
        SubjectIndex index = open(kind);
        index.put(sample("s1", "alice"));

        StoredSample moved = new StoredSample("s1", "bob", 3, "train", new float[] {1, 2});
        index.put(moved);

        assertThat(index.get("s1")).contains(moved);
        assertThat(index.samplesOf("alice")).isEmpty();
        assertThat(index.samplesOf("bob")).containsExactly(moved);
        assertThat(index.size()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void removingASampleOrASubjectDropsItsSamplesAndCountsThem(Kind kind) {
        SubjectIndex index = open(kind);
        index.putAll(List.of(sample("a1", "alice"), sample("a2", "alice"), sample("a3", "alice"),
                sample("b1", "bob")));

        index.removeSample("a1");
        index.removeSample("never-stored");

        assertThat(index.get("a1")).isEmpty();
        assertThat(index.size()).isEqualTo(3);
        assertThat(index.removeSubject("alice")).isEqualTo(2);
        assertThat(index.removeSubject("alice")).isZero();
        assertThat(index.samplesOf("alice")).isEmpty();
        assertThat(index.samplesOf("bob")).containsExactly(sample("b1", "bob"));
        assertThat(index.size()).isEqualTo(1);
        assertThat(index.isErased("alice")).as("removing is not erasing").isFalse();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void samplesOfAnErasedSubjectAreRefused(Kind kind) {
        SubjectIndex index = open(kind);
        index.put(sample("a1", "alice"));
        index.apply(w -> {
            w.removeSubject("alice");
            w.markErased("alice");
        });

        assertThat(index.isErased("alice")).isTrue();
        assertThat(index.isErased("bob")).isFalse();
        assertThat(index.put(sample("a2", "alice"))).isFalse();
        assertThat(index.putAll(List.of(sample("a3", "alice"), sample("b1", "bob")))).isEqualTo(1);
        assertThat(index.samplesOf("alice")).isEmpty();
        assertThat(index.get("a2")).isEmpty();
        assertThat(index.size()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void offsetsAreKeptPerPartitionAndReplacedByLaterCommits(Kind kind) {
        SubjectIndex index = open(kind);

        assertThat(index.committedOffset(0)).isEmpty();
        index.commitOffset(0, 10);
        index.commitOffset(3, 7);
        index.commitOffset(0, 42);

        assertThat(index.committedOffset(0)).contains(42L);
        assertThat(index.committedOffset(3)).contains(7L);
        assertThat(index.committedOffset(1)).isEmpty();
        assertThatThrownBy(() -> index.commitOffset(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void writesInAGroupSeeEachOther(Kind kind) {
        SubjectIndex index = open(kind);
        index.put(sample("old", "alice"));
        int[] removed = new int[1];
        boolean[] refused = new boolean[1];

        index.apply(w -> {
            w.put(sample("new", "alice"));
            removed[0] = w.removeSubject("alice");
            w.markErased("alice");
            refused[0] = !w.put(sample("late", "alice"));
        });

        assertThat(removed[0]).as("the stored and the just-put sample").isEqualTo(2);
        assertThat(refused[0]).isTrue();
        assertThat(index.samplesOf("alice")).isEmpty();
        assertThat(index.size()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aGroupThatThrowsLeavesNoTrace(Kind kind) {
        SubjectIndex index = open(kind);
        StoredSample kept = sample("a1", "alice");
        index.apply(w -> {
            w.put(kept);
            w.commitOffset(0, 5);
        });

        assertThatThrownBy(() -> index.apply(w -> {
            w.putAll(List.of(sample("b1", "bob"), new StoredSample("a1", "bob", 1, "train", new float[1])));
            w.removeSample("a1");
            w.removeSubject("alice");
            w.markErased("alice");
            w.commitOffset(0, 9);
            w.commitOffset(1, 3);
            throw new IllegalStateException("poll failed half-way");
        })).hasMessage("poll failed half-way");

        assertThat(index.get("a1")).contains(kept);
        assertThat(index.samplesOf("alice")).containsExactly(kept);
        assertThat(index.samplesOf("bob")).isEmpty();
        assertThat(index.get("b1")).isEmpty();
        assertThat(index.isErased("alice")).isFalse();
        assertThat(index.committedOffset(0)).contains(5L);
        assertThat(index.committedOffset(1)).isEmpty();
        assertThat(index.size()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void subjectIdsWithTheKeySeparatorAreRejected(Kind kind) {
        SubjectIndex index = open(kind);

        assertThatThrownBy(() -> index.put(sample("x", "bad\0id"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.removeSubject("bad\0id")).isInstanceOf(IllegalArgumentException.class);
    }
}
