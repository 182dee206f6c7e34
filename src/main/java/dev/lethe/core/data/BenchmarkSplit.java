package dev.lethe.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The data sets of one unlearning benchmark run, drawn reproducibly from a seed.
 *
 * <ul>
 *   <li>{@code train}: what the original model is trained on; it includes {@code forget}.</li>
 *   <li>{@code forget}: whole data subjects whose erasure is requested.</li>
 *   <li>{@code retain}: a uniform random buffer of {@link #remaining()} samples, the only training
 *       data an unlearning method may look at (it does not get the full training set).</li>
 *   <li>{@code validation}: test-pool samples for choosing hyperparameters and stop rules.</li>
 *   <li>{@code holdout}: other test-pool samples, used only for reporting, so reported numbers are
 *       not tuned on.</li>
 * </ul>
 * Validation and holdout come from the test pool and are never trained on, which also makes them
 * the "non-member" reference for membership inference.
 */
public record BenchmarkSplit(SampleSet train, SampleSet forget, SampleSet retain,
        SampleSet validation, SampleSet holdout) {

    public static final int MIN_PER_SUBJECT = 5;
    public static final int MAX_PER_SUBJECT = 15;

    public BenchmarkSplit {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(forget, "forget");
        Objects.requireNonNull(retain, "retain");
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(holdout, "holdout");
    }

    /**
     * Draws a split. Train samples get subjects of {@value #MIN_PER_SUBJECT} to
     * {@value #MAX_PER_SUBJECT} samples (mean 10); random whole subjects go to the forget set until
     * it holds at least {@code forgetSize} samples, so it may exceed that by up to
     * {@code MAX_PER_SUBJECT - 1}: erasing half a person would not be a real request.
     *
     * @param trainPool      source of training samples (ids {@code train-<index in pool>})
     * @param testPool       source of validation and holdout samples (ids {@code test-<index>})
     * @param trainSize      samples drawn from {@code trainPool} to train on
     * @param forgetSize     minimum number of samples to forget
     * @param retainSize     size of the retain buffer, drawn from train minus forget
     * @param validationSize samples drawn from {@code testPool} for tuning
     * @param holdoutSize    further samples drawn from {@code testPool} for reporting
     * @param seed           determines every random choice
     */
    public static BenchmarkSplit of(LabelledImages trainPool, LabelledImages testPool,
            int trainSize, int forgetSize, int retainSize, int validationSize, int holdoutSize,
            long seed) {
        return of(trainPool, testPool, trainSize, forgetSize, retainSize, validationSize, holdoutSize, seed,
                Subjects.Grouping.RANDOM);
    }

    /** {@link #of} with training subjects grouped as {@code grouping} says. */
    public static BenchmarkSplit of(LabelledImages trainPool, LabelledImages testPool,
            int trainSize, int forgetSize, int retainSize, int validationSize, int holdoutSize,
            long seed, Subjects.Grouping grouping) {
        Objects.requireNonNull(trainPool, "trainPool");
        Objects.requireNonNull(testPool, "testPool");
        if (!Arrays.equals(trainPool.shape(), testPool.shape())
                || trainPool.numClasses() != testPool.numClasses()) {
            throw new IllegalArgumentException("train and test pools differ in shape or classes");
        }
        requireSizes(trainPool.size(), testPool.size(), trainSize, forgetSize, retainSize,
                validationSize, holdoutSize);

        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom trainRng = root.split();
        SplittableRandom forgetRng = root.split();
        SplittableRandom retainRng = root.split();
        SplittableRandom testRng = root.split();
        int[] trainIdx = randomSubset(trainPool.size(), trainSize, trainRng);
        int[] testIdx = randomSubset(testPool.size(), validationSize + holdoutSize, testRng);
        return draw(trainPool, trainIdx, testPool, testIdx, "test", forgetSize, retainSize,
                validationSize, trainRng, forgetRng, retainRng, testRng, grouping);
    }

    /**
     * Like {@link #of}, but validation and holdout are drawn from the same pool as the training
     * samples (disjoint from them). Members and non-members then come from one distribution, so
     * a membership attack measures memorisation rather than a shift between two pools — on
     * Fashion-MNIST the test split is measurably harder than the train split.
     */
    public static BenchmarkSplit ofOnePool(LabelledImages pool, int trainSize, int forgetSize,
            int retainSize, int validationSize, int holdoutSize, long seed) {
        return ofOnePool(pool, trainSize, forgetSize, retainSize, validationSize, holdoutSize, seed,
                Subjects.Grouping.RANDOM);
    }

    /** {@link #ofOnePool} with training subjects grouped as {@code grouping} says. */
    public static BenchmarkSplit ofOnePool(LabelledImages pool, int trainSize, int forgetSize,
            int retainSize, int validationSize, int holdoutSize, long seed, Subjects.Grouping grouping) {
        Objects.requireNonNull(pool, "pool");
        long needed = (long) trainSize + validationSize + holdoutSize;
        if (needed > pool.size()) {
            throw new IllegalArgumentException("trainSize " + trainSize + " + validationSize "
                    + validationSize + " + holdoutSize " + holdoutSize + " exceed the pool of "
                    + pool.size() + " samples");
        }
        requireSizes(pool.size(), pool.size(), trainSize, forgetSize, retainSize, 0, 0);
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom trainRng = root.split();
        SplittableRandom forgetRng = root.split();
        SplittableRandom retainRng = root.split();
        SplittableRandom testRng = root.split();
        int[] all = randomSubset(pool.size(), (int) needed, trainRng);
        int[] trainIdx = Arrays.copyOf(all, trainSize);
        int[] otherIdx = Arrays.copyOfRange(all, trainSize, all.length);
        return draw(pool, trainIdx, pool, otherIdx, "unseen", forgetSize, retainSize,
                validationSize, trainRng, forgetRng, retainRng, testRng, grouping);
    }

    private static BenchmarkSplit draw(LabelledImages trainPool, int[] trainIdx,
            LabelledImages testPool, int[] testIdx, String testPrefix, int forgetSize,
            int retainSize, int validationSize, SplittableRandom trainRng,
            SplittableRandom forgetRng, SplittableRandom retainRng, SplittableRandom testRng,
            Subjects.Grouping grouping) {
        SampleSet train = grouping == Subjects.Grouping.CORRELATED
                ? Subjects.assignCorrelated(trainPool, trainIdx, "train", Subjects.DEFAULT_SUBJECT_PREFIX,
                        MIN_PER_SUBJECT, MAX_PER_SUBJECT, trainRng)
                : Subjects.assign(trainPool, trainIdx, "train", Subjects.DEFAULT_SUBJECT_PREFIX, MIN_PER_SUBJECT,
                        MAX_PER_SUBJECT, trainRng);

        Set<String> forgetSubjects = chooseSubjects(train, forgetSize, forgetRng);
        SampleSet forget = train.bySubjects(forgetSubjects);
        SampleSet remaining = train.filter(s -> !forgetSubjects.contains(s.subjectId()));
        if (remaining.size() < retainSize) {
            throw new IllegalArgumentException("retainSize " + retainSize + " exceeds the "
                    + remaining.size() + " samples left after forgetting " + forget.size()
                    + " (whole subjects overshoot forgetSize); lower retainSize or forgetSize");
        }
        Reservoir<Sample> buffer = new Reservoir<>(retainSize, retainRng.nextLong());
        remaining.samples().forEach(buffer::offer);
        SampleSet retain = train.with(buffer.snapshot());

        // Non-member samples are never erased; they get subjects only because every Sample has one.
        SampleSet validation = Subjects.assign(testPool, Arrays.copyOf(testIdx, validationSize),
                testPrefix, "validation-subject", MIN_PER_SUBJECT, MAX_PER_SUBJECT, testRng);
        SampleSet holdout = Subjects.assign(testPool,
                Arrays.copyOfRange(testIdx, validationSize, testIdx.length),
                testPrefix, "holdout-subject", MIN_PER_SUBJECT, MAX_PER_SUBJECT, testRng);
        return new BenchmarkSplit(train, forget, retain, validation, holdout);
    }

    /** Checks the sizes against each other and the pools, with messages that name the fix. */
    private static void requireSizes(int trainPoolSize, int testPoolSize, int trainSize,
            int forgetSize, int retainSize, int validationSize, int holdoutSize) {
        if (trainSize < 1 || forgetSize < 1 || retainSize < 0 || validationSize < 0
                || holdoutSize < 0) {
            throw new IllegalArgumentException("need trainSize >= 1, forgetSize >= 1 and the "
                    + "other sizes >= 0; got train " + trainSize + ", forget " + forgetSize
                    + ", retain " + retainSize + ", validation " + validationSize
                    + ", holdout " + holdoutSize);
        }
        if (trainSize > trainPoolSize) {
            throw new IllegalArgumentException("trainSize " + trainSize
                    + " exceeds the train pool of " + trainPoolSize + " samples");
        }
        if (forgetSize >= trainSize) {
            throw new IllegalArgumentException("forgetSize " + forgetSize
                    + " must be smaller than trainSize " + trainSize);
        }
        if (retainSize > trainSize - forgetSize) {
            throw new IllegalArgumentException("retainSize " + retainSize
                    + " exceeds the " + (trainSize - forgetSize)
                    + " samples left after forgetting at least " + forgetSize);
        }
        if ((long) validationSize + holdoutSize > testPoolSize) {
            throw new IllegalArgumentException("validationSize " + validationSize
                    + " + holdoutSize " + holdoutSize + " exceed the test pool of "
                    + testPoolSize + " samples");
        }
    }

    /** What the retrain-from-scratch oracle trains on: train minus forget. */
    public SampleSet remaining() {
        Set<String> erased = forgetSubjects();
        return train.filter(s -> !erased.contains(s.subjectId()));
    }

    /** Ids of the subjects whose erasure is requested, in forget-set order. */
    public Set<String> forgetSubjects() {
        Set<String> ids = new LinkedHashSet<>();
        forget.samples().forEach(s -> ids.add(s.subjectId()));
        return ids;
    }

    private static Set<String> chooseSubjects(SampleSet train, int atLeast,
            SplittableRandom rng) {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        train.samples().forEach(s -> sizes.merge(s.subjectId(), 1, Integer::sum));
        List<String> order = new ArrayList<>(sizes.keySet());
        for (int i = order.size() - 1; i > 0; i--) {
            Collections.swap(order, i, rng.nextInt(i + 1));
        }
        Set<String> chosen = new LinkedHashSet<>();
        int total = 0;
        for (int i = 0; i < order.size() && total < atLeast; i++) {
            chosen.add(order.get(i));
            total += sizes.get(order.get(i));
        }
        return chosen;
    }

    /** {@code k} distinct indices of {@code 0..n-1}, by a partial Fisher-Yates shuffle. */
    private static int[] randomSubset(int n, int k, SplittableRandom rng) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return Arrays.copyOf(all, k);
    }
}
