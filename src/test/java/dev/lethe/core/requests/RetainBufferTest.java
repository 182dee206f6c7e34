package dev.lethe.core.requests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.data.Sample;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetainBufferTest {

    private final Set<String> erased = new HashSet<>();
    private final RetainBuffer buffer = new RetainBuffer(100, 1, erased::contains);

    private static Sample sample(String sampleId, String subjectId) {
        return new Sample(sampleId, subjectId, 0, new float[] {1});
    }

    @Test
    void samplesOfErasedSubjectsAreRefused() {
        erased.add("alice");

        assertThat(buffer.offer(sample("a1", "alice"))).isFalse();
        assertThat(buffer.offer(sample("b1", "bob"))).isTrue();

        assertThat(buffer.snapshot()).extracting(Sample::sampleId).containsExactly("b1");
        assertThat(buffer.refusedCount()).isEqualTo(1);
    }

    @Test
    void removingASubjectDropsItsBufferedSamplesAndKeepsTheRest() {
        for (int i = 0; i < 10; i++) {
            buffer.offer(sample("a" + i, "alice"));
            buffer.offer(sample("b" + i, "bob"));
        }

        assertThat(buffer.removeSubject("alice")).isEqualTo(10);
        erased.add("alice");
        buffer.offer(sample("a-late", "alice"));

        assertThat(buffer.snapshot()).hasSize(10).allMatch(s -> s.subjectId().equals("bob"));
        assertThat(buffer.size()).isEqualTo(10);
    }

    @Test
    void aTombstonedSampleLeavesTheBufferAndOnlyThatOne() {
        buffer.offer(sample("a1", "alice"));
        buffer.offer(sample("a2", "alice"));

        assertThat(buffer.removeSample("a1")).isTrue();
        assertThat(buffer.removeSample("a1")).isFalse();

        assertThat(buffer.snapshot()).extracting(Sample::sampleId).containsExactly("a2");
    }

    @Test
    void theBufferNeverHoldsMoreThanItsCapacity() {
        RetainBuffer small = new RetainBuffer(5, 7, s -> false);
        for (int i = 0; i < 1000; i++) {
            small.offer(sample("s" + i, "subject-" + (i % 13)));
        }

        assertThat(small.snapshot()).hasSize(5).doesNotHaveDuplicates();
        assertThat(small.capacity()).isEqualTo(5);
    }
}
