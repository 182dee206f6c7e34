package dev.lethe.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BenchmarkSplitTest {

    private static final LabelledImages TRAIN_POOL = SyntheticData.generate(3000, 1);
    private static final LabelledImages TEST_POOL = SyntheticData.generate(800, 2);

    private static BenchmarkSplit split(long seed) {
        return BenchmarkSplit.of(TRAIN_POOL, TEST_POOL, 2000, 100, 300, 200, 400, seed);
    }

    private static Set<String> ids(SampleSet set) {
        return set.samples().stream().map(Sample::sampleId).collect(Collectors.toSet());
    }

    private static List<String> orderedIds(SampleSet set) {
        return set.samples().stream().map(Sample::sampleId).toList();
    }

    @Test
    void setsHaveTheRequestedSizesAndForgetOvershootsByLessThanOneSubject() {
        BenchmarkSplit split = split(5);

        assertThat(split.train().size()).isEqualTo(2000);
        assertThat(ids(split.train())).hasSize(2000);
        assertThat(split.forget().size()).isBetween(100, 100 + BenchmarkSplit.MAX_PER_SUBJECT - 1);
        assertThat(split.retain().size()).isEqualTo(300);
        assertThat(split.validation().size()).isEqualTo(200);
        assertThat(split.holdout().size()).isEqualTo(400);
        assertThat(split.remaining().size())
                .isEqualTo(split.train().size() - split.forget().size());
        assertThat(split.train().shape()).containsExactly(1, 28, 28);
    }

    @Test
    void theForgetSetConsistsOfWholeSubjectsOfTheTrainingSet() {
        BenchmarkSplit split = split(6);
        Set<String> forgetSubjects = split.forgetSubjects();

        assertThat(ids(split.train())).containsAll(ids(split.forget()));
        // Every training sample of a forgotten subject is in the forget set, and nothing else.
        assertThat(ids(split.forget())).isEqualTo(ids(split.train().bySubjects(forgetSubjects)));
        assertThat(split.remaining().samples())
                .noneMatch(s -> forgetSubjects.contains(s.subjectId()));
        // Subjects were added only until the minimum was reached: without the largest, too few.
        long largest = split.forget().samples().stream()
                .collect(Collectors.groupingBy(Sample::subjectId, Collectors.counting()))
                .values().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(split.forget().size() - largest).isLessThan(100);
    }

    @Test
    void retainIsASubsetOfTheRemainingTrainingDataDisjointFromForget() {
        BenchmarkSplit split = split(7);

        assertThat(ids(split.retain())).hasSize(300)
                .doesNotContainAnyElementsOf(ids(split.forget()))
                .isSubsetOf(ids(split.remaining()));
    }

    @Test
    void validationAndHoldoutAreDisjointAndNeverTrainedOn() {
        BenchmarkSplit split = split(8);

        assertThat(ids(split.validation())).hasSize(200)
                .doesNotContainAnyElementsOf(ids(split.holdout()))
                .allMatch(id -> id.startsWith("test-"));
        assertThat(ids(split.holdout())).hasSize(400).allMatch(id -> id.startsWith("test-"));
        assertThat(ids(split.train())).allMatch(id -> id.startsWith("train-"));
        // Their subjects are distinct from training subjects, so an erasure can never hit them.
        assertThat(split.validation().samples()).extracting(Sample::subjectId)
                .doesNotContainAnyElementsOf(split.forgetSubjects());
    }

    @Test
    void theSameSeedGivesTheSameSplitAndAnotherSeedADifferentOne() {
        BenchmarkSplit a = split(9);
        BenchmarkSplit b = split(9);
        BenchmarkSplit c = split(10);

        assertThat(orderedIds(a.train())).isEqualTo(orderedIds(b.train()));
        assertThat(orderedIds(a.forget())).isEqualTo(orderedIds(b.forget()));
        assertThat(orderedIds(a.retain())).isEqualTo(orderedIds(b.retain()));
        assertThat(orderedIds(a.validation())).isEqualTo(orderedIds(b.validation()));
        assertThat(orderedIds(a.holdout())).isEqualTo(orderedIds(b.holdout()));
        assertThat(a.forgetSubjects()).isEqualTo(b.forgetSubjects());
        assertThat(ids(a.forget())).isNotEqualTo(ids(c.forget()));
        assertThat(ids(a.validation())).isNotEqualTo(ids(c.validation()));
    }

    @Test
    void rejectsForgettingAsMuchAsItTrainsOn() {
        assertThatThrownBy(() -> BenchmarkSplit.of(TRAIN_POOL, TEST_POOL, 100, 100, 0, 0, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("forgetSize 100 must be smaller than trainSize 100");
    }

    @Test
    void rejectsPoolsTooSmallForTheRequestedSizes() {
        assertThatThrownBy(() -> BenchmarkSplit.of(TRAIN_POOL, TEST_POOL, 5000, 10, 10, 0, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds the train pool of 3000");
        assertThatThrownBy(() -> BenchmarkSplit.of(TRAIN_POOL, TEST_POOL, 1000, 10, 10, 500, 500, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceed the test pool of 800");
        assertThatThrownBy(() -> BenchmarkSplit.of(TRAIN_POOL, TEST_POOL, 1000, 100, 950, 0, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retainSize 950");
    }

    @Test
    void retainCanHoldEverythingLeftButNotWhatWholeSubjectsTookBeyondForgetSize() {
        // Retain size does not influence which subjects are forgotten, so a probe tells how
        // many samples a seed leaves; find a seed whose forget set overshoots 50.
        long seed = 0;
        int left;
        do {
            seed++;
            left = BenchmarkSplit.of(TRAIN_POOL, TEST_POOL, 500, 50, 0, 0, 0, seed)
                    .remaining().size();
        } while (left == 450);
        long overshooting = seed;

        BenchmarkSplit all = BenchmarkSplit.of(TRAIN_POOL, TEST_POOL, 500, 50, left, 0, 0, seed);
        assertThat(ids(all.retain())).isEqualTo(ids(all.remaining()));
        assertThatThrownBy(
                () -> BenchmarkSplit.of(TRAIN_POOL, TEST_POOL, 500, 50, 450, 0, 0, overshooting))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole subjects overshoot forgetSize");
    }
}
