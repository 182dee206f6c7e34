package dev.lethe.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SubjectsTest {

    private static Map<String, Long> subjectSizes(SampleSet set) {
        return set.samples().stream()
                .collect(Collectors.groupingBy(Sample::subjectId, Collectors.counting()));
    }

    @Test
    void subjectSizesStayWithinTheBoundsForManyCounts() {
        for (int n : new int[] {5, 12, 99, 1000, 1003}) {
            SampleSet set = Subjects.assign(SyntheticData.generate(n, n), "s", 5, 15, 3);

            assertThat(set.size()).isEqualTo(n);
            assertThat(subjectSizes(set).values()).as("n=%d", n).allMatch(s -> s >= 5 && s <= 15);
        }
    }

    @Test
    void everySampleIsInExactlyOneSubjectAndKeepsItsImageAndLabel() {
        LabelledImages data = SyntheticData.generate(500, 9);

        SampleSet set = Subjects.assign(data, "train", 5, 15, 11);

        assertThat(set.samples()).extracting(Sample::sampleId).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(
                        IntStream.range(0, 500).mapToObj(i -> "train-" + i).toList());
        for (Sample s : set.samples()) {
            int index = Integer.parseInt(s.sampleId().substring("train-".length()));
            assertThat(s.label()).isEqualTo(data.labels()[index]);
            assertThat(s.features()).isSameAs(data.images()[index]);
            assertThat(s.subjectId()).matches("subject-\\d{6}");
        }
        // Samples are grouped: each subject's samples are contiguous.
        long runs = IntStream.range(0, set.size())
                .filter(i -> i == 0 || !set.get(i).subjectId().equals(set.get(i - 1).subjectId()))
                .count();
        assertThat(runs).isEqualTo(subjectSizes(set).size());
    }

    @Test
    void subjectsAverageTheMiddleOfTheRangeAndAreSeedDeterministic() {
        LabelledImages data = SyntheticData.generate(5000, 1);

        SampleSet a = Subjects.assign(data, "x", 5, 15, 21);
        SampleSet b = Subjects.assign(data, "x", 5, 15, 21);
        SampleSet c = Subjects.assign(data, "x", 5, 15, 22);

        double mean = 5000.0 / subjectSizes(a).size();
        assertThat(mean).isBetween(9.0, 11.0);
        assertThat(a.samples()).extracting(s -> s.sampleId() + "/" + s.subjectId())
                .containsExactlyElementsOf(
                        b.samples().stream().map(s -> s.sampleId() + "/" + s.subjectId()).toList());
        assertThat(c.get(0).sampleId() + c.get(1).sampleId())
                .isNotEqualTo(a.get(0).sampleId() + a.get(1).sampleId());
    }

    @Test
    void fewerSamplesThanTheMinimumBecomeOneSubject() {
        SampleSet set = Subjects.assign(SyntheticData.generate(3, 1), "s", 5, 15, 1);

        assertThat(subjectSizes(set)).containsOnly(Map.entry("subject-000000", 3L));
    }

    @Test
    void rejectsInvertedBounds() {
        LabelledImages data = SyntheticData.generate(10, 1);

        assertThatThrownBy(() -> Subjects.assign(data, "s", 10, 5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 <= min <= max");
    }
}
