package dev.lethe.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Correlated subjects (issue 15): a subject's samples are near-duplicates of one class. */
class CorrelatedSubjectsTest {

    private static final LabelledImages POOL = SyntheticData.generate(1200, 7);

    private static int[] firstN(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    @Test
    void everySampleGetsOneSubjectOfFiveToFifteenOfOneClass() {
        SampleSet set = Subjects.assignCorrelated(POOL, firstN(1000), "train", "subject", 5, 15,
                new SplittableRandom(3));
        assertThat(set.size()).isEqualTo(1000);
        Set<String> ids = new HashSet<>();
        set.samples().forEach(s -> ids.add(s.sampleId()));
        assertThat(ids).hasSize(1000);
        Map<String, Set<Integer>> classes = new HashMap<>();
        Map<String, Integer> sizes = new HashMap<>();
        set.samples().forEach(s -> {
            classes.computeIfAbsent(s.subjectId(), k -> new HashSet<>()).add(s.label());
            sizes.merge(s.subjectId(), 1, Integer::sum);
        });
        assertThat(sizes.values()).allMatch(n -> n >= 5 && n <= 15);
        long mixed = classes.values().stream().filter(c -> c.size() > 1).count();
        assertThat(mixed).as("subjects spanning classes (only when a class runs out)").isLessThanOrEqualTo(10);
    }

    @Test
    void aSubjectsSamplesAreMuchCloserToEachOtherThanRandomSubjectsAre() {
        double correlated = meanWithinSubjectDistance(Subjects.assignCorrelated(POOL, firstN(1000), "train",
                "subject", 5, 15, new SplittableRandom(3)));
        double random = meanWithinSubjectDistance(Subjects.assign(POOL, firstN(1000), "train", "subject", 5, 15,
                new SplittableRandom(3)));
        double sameClass = meanSameClassDistance();
        System.out.printf("[correlated subjects] mean within-subject squared distance %.1f; random subjects %.1f;"
                + " random pairs of one class %.1f%n", correlated, random, sameClass);
        assertThat(correlated).isLessThan(0.85 * random);
        assertThat(correlated).as("nearer than merely sharing a class").isLessThan(sameClass);
    }

    @Test
    void theSameSeedGivesTheSameSubjects() {
        List<Sample> a = Subjects.assignCorrelated(POOL, firstN(300), "t", "s", 5, 15, new SplittableRandom(9)).samples();
        List<Sample> b = Subjects.assignCorrelated(POOL, firstN(300), "t", "s", 5, 15, new SplittableRandom(9)).samples();
        assertThat(a).extracting(Sample::sampleId).containsExactlyElementsOf(b.stream().map(Sample::sampleId).toList());
        assertThat(a).extracting(Sample::subjectId).containsExactlyElementsOf(b.stream().map(Sample::subjectId).toList());
    }

    @Test
    void aBenchmarkSplitForgetsWholeCorrelatedSubjects() {
        BenchmarkSplit split = BenchmarkSplit.ofOnePool(POOL, 800, 80, 100, 100, 100, 5, Subjects.Grouping.CORRELATED);
        Set<String> forgotten = new HashSet<>();
        split.forget().samples().forEach(s -> forgotten.add(s.subjectId()));
        assertThat(split.train().samples().stream().filter(s -> forgotten.contains(s.subjectId())).count())
                .isEqualTo(split.forget().size());
        assertThat(split.forget().size()).isGreaterThanOrEqualTo(80);
    }

    private static double meanSameClassDistance() {
        SplittableRandom rng = new SplittableRandom(11);
        double sum = 0;
        int n = 0;
        while (n < 20_000) {
            int i = rng.nextInt(1000);
            int j = rng.nextInt(1000);
            if (i == j || POOL.labels()[i] != POOL.labels()[j]) {
                continue;
            }
            float[] x = POOL.images()[i];
            float[] y = POOL.images()[j];
            for (int f = 0; f < x.length; f++) {
                sum += (x[f] - y[f]) * (x[f] - y[f]);
            }
            n++;
        }
        return sum / n;
    }

    private static double meanWithinSubjectDistance(SampleSet set) {
        Map<String, List<Sample>> bySubject = new HashMap<>();
        set.samples().forEach(s -> bySubject.computeIfAbsent(s.subjectId(), k -> new java.util.ArrayList<>()).add(s));
        double sum = 0;
        long pairs = 0;
        for (List<Sample> group : bySubject.values()) {
            for (int i = 0; i < group.size(); i++) {
                for (int j = i + 1; j < group.size(); j++) {
                    float[] x = group.get(i).features();
                    float[] y = group.get(j).features();
                    double d = 0;
                    for (int f = 0; f < x.length; f++) {
                        d += (x[f] - y[f]) * (x[f] - y[f]);
                    }
                    sum += d;
                    pairs++;
                }
            }
        }
        return sum / pairs;
    }
}
