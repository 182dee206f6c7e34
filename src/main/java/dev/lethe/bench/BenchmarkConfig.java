package dev.lethe.bench;

import dev.lethe.core.data.Subjects;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.unlearn.UnlearningSettings;

import java.nio.file.Path;
import java.util.List;

/**
 * One benchmark run's setting. Sizes are in samples; the forget set is whole subjects, so it may
 * hold slightly more than {@code forgetSize}.
 *
 * @param learningRates  the learning-rate grid every step-wise method is tuned over
 * @param alphas         the retain-weight grid for methods with a retain and a forget term
 * @param sweepFractions retain-buffer sizes as fractions of the training set, for the sweep
 * @param holdoutPool    where the never-trained-on validation and holdout samples come from:
 *                       {@code train-pool} (unused samples of the training split; the default,
 *                       see docs/adr/0002) or {@code test-split}
 * @param parameterPattern regex over parameter names: the step-wise methods unlearn only the matching tensors
 *                       (null: all parameters)
 * @param subjects       how training samples are grouped into subjects: random or correlated
 *                       (near-duplicates), {@link dev.lethe.core.data.Subjects.Grouping}
 */
public record BenchmarkConfig(String dataset, Path dataDir, int trainSize, int forgetSize, int retainSize,
                              int validationSize, int holdoutSize, Architecture architecture,
                              String device, List<String> methods, long seed, TrainingRecipe recipe,
                              UnlearningSettings unlearning, List<Double> learningRates, List<Double> alphas,
                              boolean retainSweep, List<Double> sweepFractions, int miaFolds,
                              int traceEvery, String holdoutPool, String parameterPattern,
                              Subjects.Grouping subjects) {

    public static final List<String> ALL_METHODS =
            List.of("orthograd", "orthograd-global", "ga", "neggrad-plus", "finetune", "retrain");

    /** A setting that unlearns every parameter. */
    public BenchmarkConfig(String dataset, Path dataDir, int trainSize, int forgetSize, int retainSize,
                           int validationSize, int holdoutSize, Architecture architecture,
                           String device, List<String> methods, long seed, TrainingRecipe recipe,
                           UnlearningSettings unlearning, List<Double> learningRates, List<Double> alphas,
                           boolean retainSweep, List<Double> sweepFractions, int miaFolds,
                           int traceEvery, String holdoutPool) {
        this(dataset, dataDir, trainSize, forgetSize, retainSize, validationSize, holdoutSize, architecture, device,
                methods, seed, recipe, unlearning, learningRates, alphas, retainSweep, sweepFractions, miaFolds,
                traceEvery, holdoutPool, null, Subjects.Grouping.RANDOM);
    }

    /** A setting with random subjects. */
    public BenchmarkConfig(String dataset, Path dataDir, int trainSize, int forgetSize, int retainSize,
                           int validationSize, int holdoutSize, Architecture architecture,
                           String device, List<String> methods, long seed, TrainingRecipe recipe,
                           UnlearningSettings unlearning, List<Double> learningRates, List<Double> alphas,
                           boolean retainSweep, List<Double> sweepFractions, int miaFolds,
                           int traceEvery, String holdoutPool, String parameterPattern) {
        this(dataset, dataDir, trainSize, forgetSize, retainSize, validationSize, holdoutSize, architecture, device,
                methods, seed, recipe, unlearning, learningRates, alphas, retainSweep, sweepFractions, miaFolds,
                traceEvery, holdoutPool, parameterPattern, Subjects.Grouping.RANDOM);
    }

    public BenchmarkConfig {
        methods = List.copyOf(methods);
        java.util.Objects.requireNonNull(subjects, "subjects");
        for (String m : methods) {
            if (!ALL_METHODS.contains(m)) {
                throw new IllegalArgumentException("unknown method '" + m + "'; known: " + ALL_METHODS);
            }
        }
        if (!dataset.equals("fashion-mnist") && !dataset.equals("synthetic")) {
            throw new IllegalArgumentException("dataset must be fashion-mnist or synthetic, was " + dataset);
        }
        if (!holdoutPool.equals("train-pool") && !holdoutPool.equals("test-split")) {
            throw new IllegalArgumentException("holdout pool must be train-pool or test-split, was " + holdoutPool);
        }
        if (validationSize < 2) {
            throw new IllegalArgumentException("validationSize must be >= 2: half is the methods' reference, half selects hyperparameters");
        }
    }
}
