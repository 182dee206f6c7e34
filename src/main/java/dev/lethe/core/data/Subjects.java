package dev.lethe.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Gives samples data subjects (the people a deletion request names). Public image datasets have
 * no owners, so we invent them: a request to erase one subject then removes a handful of
 * unrelated samples, as it would in a real service where each user contributed several records.
 *
 * <p>Sample ids are {@code idPrefix + "-" + index in the source data}, so a sample can always be
 * traced back to its image. The returned samples share their feature arrays with the source.
 */
public final class Subjects {

    public static final String DEFAULT_SUBJECT_PREFIX = "subject";

    /**
     * How samples are grouped into subjects: {@code RANDOM} (unrelated samples per subject) or
     * {@code CORRELATED} (each subject's samples are near-duplicates: one random sample and its
     * nearest unassigned neighbours of the same class in pixel space), since a real person's
     * records are alike and unlearning a tight cluster is harder to hide from an attack.
     */
    public enum Grouping {
        RANDOM, CORRELATED;

        public static Grouping parse(String text) {
            return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "random" -> RANDOM;
                case "correlated" -> CORRELATED;
                default -> throw new IllegalArgumentException("subjects must be random or correlated, was " + text);
            };
        }

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private Subjects() {
    }

    /**
     * Shuffles the samples with {@code seed} and cuts them into consecutive subjects whose sizes
     * are uniform in [{@code minPerSubject}, {@code maxPerSubject}]. Subject ids look like
     * {@code subject-000017}. The result is ordered subject by subject.
     *
     * <p>When the last group would fall below the minimum, sizes of other groups are nudged within
     * the bounds to absorb it. Only when no split within the bounds exists at all (e.g. fewer
     * samples than {@code minPerSubject}) does one subject end up smaller.
     */
    public static SampleSet assign(LabelledImages data, String idPrefix, int minPerSubject,
            int maxPerSubject, long seed) {
        int[] all = new int[data.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return assign(data, all, idPrefix, DEFAULT_SUBJECT_PREFIX, minPerSubject, maxPerSubject,
                new SplittableRandom(seed));
    }

    /** As above, for the given indices of {@code data} only and with its own subject prefix. */
    static SampleSet assign(LabelledImages data, int[] indices, String idPrefix,
            String subjectPrefix, int minPerSubject, int maxPerSubject, SplittableRandom rng) {
        if (minPerSubject < 1 || maxPerSubject < minPerSubject) {
            throw new IllegalArgumentException("subject sizes must satisfy 1 <= min <= max, got ["
                    + minPerSubject + ", " + maxPerSubject + "]");
        }
        int[] order = indices.clone();
        shuffle(order, rng);
        int[] sizes = groupSizes(order.length, minPerSubject, maxPerSubject, rng);
        return build(data, order, sizes, idPrefix, subjectPrefix);
    }

    /**
     * Like {@link #assign(LabelledImages, int[], String, String, int, int, SplittableRandom)}, with
     * {@link Grouping#CORRELATED} subjects: each takes a random unassigned sample and its nearest
     * unassigned neighbours (squared L2 over the features), same class first.
     */
    static SampleSet assignCorrelated(LabelledImages data, int[] indices, String idPrefix, String subjectPrefix,
            int minPerSubject, int maxPerSubject, SplittableRandom rng) {
        if (minPerSubject < 1 || maxPerSubject < minPerSubject) {
            throw new IllegalArgumentException("subject sizes must satisfy 1 <= min <= max, got ["
                    + minPerSubject + ", " + maxPerSubject + "]");
        }
        int n = indices.length;
        int[] seeds = new int[n];
        for (int i = 0; i < n; i++) {
            seeds[i] = i;
        }
        shuffle(seeds, rng);
        int[] sizes = groupSizes(n, minPerSubject, maxPerSubject, rng);
        boolean[] taken = new boolean[n];
        int[] order = new int[n];
        int pos = 0;
        int next = 0;
        for (int size : sizes) {
            while (taken[seeds[next]]) {
                next++;
            }
            int seed = seeds[next];
            taken[seed] = true;
            order[pos++] = indices[seed];
            for (int member : nearest(data, indices, taken, seed, size - 1)) {
                taken[member] = true;
                order[pos++] = indices[member];
            }
        }
        return build(data, order, sizes, idPrefix, subjectPrefix);
    }

    /** Positions of the {@code k} unassigned samples nearest to {@code seed}, another class counting as far. */
    private static int[] nearest(LabelledImages data, int[] indices, boolean[] taken, int seed, int k) {
        if (k == 0) {
            return new int[0];
        }
        float[] x = data.images()[indices[seed]];
        int label = data.labels()[indices[seed]];
        int[] best = new int[k];
        double[] bestD = new double[k];
        Arrays.fill(bestD, Double.POSITIVE_INFINITY);
        int found = 0;
        for (int j = 0; j < indices.length; j++) {
            if (taken[j]) {
                continue;
            }
            float[] y = data.images()[indices[j]];
            double d = data.labels()[indices[j]] == label ? 0 : 1e12; // same class first
            for (int f = 0; f < x.length; f++) {
                double diff = x[f] - y[f];
                d += diff * diff;
            }
            if (found < k || d < bestD[k - 1]) {
                int at = Math.min(found, k - 1);
                while (at > 0 && bestD[at - 1] > d) { // insertion into the sorted short list
                    bestD[at] = bestD[at - 1];
                    best[at] = best[at - 1];
                    at--;
                }
                bestD[at] = d;
                best[at] = j;
                found = Math.min(found + 1, k);
            }
        }
        return Arrays.copyOf(best, found);
    }

    private static SampleSet build(LabelledImages data, int[] order, int[] sizes, String idPrefix,
            String subjectPrefix) {
        List<Sample> samples = new ArrayList<>(order.length);
        int pos = 0;
        for (int g = 0; g < sizes.length; g++) {
            String subjectId = String.format("%s-%06d", subjectPrefix, g);
            for (int k = 0; k < sizes[g]; k++, pos++) {
                int index = order[pos];
                samples.add(new Sample(idPrefix + "-" + index, subjectId, data.labels()[index],
                        data.images()[index]));
            }
        }
        return new SampleSet(samples, data.shape(), data.numClasses());
    }

    static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static int[] groupSizes(int n, int min, int max, SplittableRandom rng) {
        List<Integer> sizes = new ArrayList<>();
        int left = n;
        while (left > 0) {
            int size = min + rng.nextInt(max - min + 1);
            sizes.add(Math.min(size, left));
            left -= size;
        }
        if (sizes.isEmpty()) {
            return new int[0];
        }
        int last = sizes.size() - 1;
        // Take samples from earlier groups above the minimum to lift the last one to it...
        for (int g = last - 1; g >= 0 && sizes.get(last) < min; g--) {
            int give = Math.min(sizes.get(g) - min, min - sizes.get(last));
            sizes.set(g, sizes.get(g) - give);
            sizes.set(last, sizes.get(last) + give);
        }
        // ...or, failing that, spread the last group over earlier groups below the maximum.
        if (sizes.get(last) < min) {
            int room = 0;
            for (int g = 0; g < last; g++) {
                room += max - sizes.get(g);
            }
            if (room >= sizes.get(last)) {
                int rest = sizes.remove(last);
                for (int g = 0; rest > 0; g++) {
                    int take = Math.min(max - sizes.get(g), rest);
                    sizes.set(g, sizes.get(g) + take);
                    rest -= take;
                }
            }
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }
}
