package dev.lethe.perf;

import dev.lethe.core.data.BenchmarkSplit;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Devices;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.SupervisedTraining;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.unlearn.GradientAscent;
import dev.lethe.core.unlearn.OrthoGrad;
import dev.lethe.core.unlearn.ProjectionMode;
import dev.lethe.core.unlearn.Retrain;
import dev.lethe.core.unlearn.StepwiseUnlearner;
import dev.lethe.core.unlearn.StopRule;
import dev.lethe.core.unlearn.UnlearningResult;
import dev.lethe.core.unlearn.UnlearningSettings;
import dev.lethe.core.unlearn.UnlearningTask;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * OrthoGrad against gradient ascent (per step) and against retraining from scratch (whole runs),
 * on the bench's default setting: the CNN trained on 2,000 samples, 200+ forgotten as whole
 * subjects, a retain buffer of 100, the bench's training recipe for the original and the retrain.
 */
final class UnlearningPerf {

    static final Architecture ARCHITECTURE = Architecture.CNN;
    static final TrainingRecipe RECIPE = new TrainingRecipe(60, 32, 0.002, 1e-4);
    static final double RETRAIN_GOAL = 1.0 / 50;
    static final int STEPS_PER_ROUND = 20;

    private final PerfConfig config;
    private final BenchmarkSplit split;
    private final SampleSet reference;
    private final Consumer<String> progress;

    UnlearningPerf(PerfConfig config, BenchmarkSplit split, Consumer<String> progress) {
        this.config = config;
        this.split = split;
        this.reference = split.validation().first(split.validation().size() / 2);
        this.progress = progress;
    }

    List<Figure> run(List<String> notes) {
        List<Figure> figures = new ArrayList<>();
        try (Network original = Network.create(ARCHITECTURE, split.train().shape(), split.train().numClasses(),
                Devices.choose("cpu"), config.seed())) {
            progress.accept(String.format(Locale.ROOT, "unlearning: training the original %s (%,d parameters) on %d samples",
                    ARCHITECTURE.id(), original.parameterCount(), split.train().size()));
            SupervisedTraining.Summary trained = SupervisedTraining.train(original, split.train(), RECIPE, config.seed(), null);
            notes.add(String.format(Locale.ROOT, "unlearning sections: %s, original trained %d epochs in %.1f s; "
                            + "forget %d samples (%d subjects), retain buffer %d, reference %d",
                    ARCHITECTURE.id(), trained.epochs(), trained.seconds(), split.forget().size(),
                    split.forgetSubjects().size(), split.retain().size(), reference.size()));
            float[] theta0 = original.parameters();
            String pattern = GradientPerf.pattern(config, original);
            if (config.sections().contains("steps")) {
                figures.addAll(steps(original, theta0, pattern));
            }
            if (config.sections().contains("unlearning")) {
                figures.addAll(versusRetrain(original, theta0, pattern, notes));
            }
        }
        return figures;
    }

    /** Per-step cost: each round runs each method for a fixed number of steps from the same weights. */
    private List<Figure> steps(Network net, float[] theta0, String pattern) {
        String section = "one unlearning step (" + ARCHITECTURE.id() + ", B = " + config.batchSize() + ")";
        UnlearningSettings s = new UnlearningSettings(STEPS_PER_ROUND, 1e-3, 0.5, config.batchSize(), true,
                UnlearningSettings.defaults().objective(), StopRule.BUDGET);
        StepwiseUnlearner[] methods = {new OrthoGrad(s, ProjectionMode.PER_TENSOR), new OrthoGrad(s, ProjectionMode.GLOBAL),
            new OrthoGrad(s, ProjectionMode.PER_TENSOR, pattern), new GradientAscent(s)};
        int rounds = Math.max(3, config.repetitions() / 3);
        double[][] medians = new double[methods.length][rounds];
        UnlearningTask task = new UnlearningTask(split.forget(), split.retain(), reference, config.seed());
        for (int r = -1; r < rounds; r++) { // round -1 warms up
            for (int m = 0; m < methods.length; m++) {
                net.setParameters(theta0);
                double[] steps = stepSeconds(methods[m], net, task);
                if (r >= 0) {
                    medians[m][r] = Stats.of(steps).median();
                }
            }
            progress.accept("steps: round " + (r + 1) + " of " + rounds);
        }
        List<Figure> f = new ArrayList<>();
        f.add(new Figure(section, "steps.orthograd_over_ga", "one OrthoGrad step (per tensor) / one gradient-ascent step",
                Stats.of(Timer.ratios(medians[0], medians[3])), "×", null));
        f.add(new Figure(section, "steps.orthograd_global_over_ga", "one OrthoGrad step (global) / one gradient-ascent step",
                Stats.of(Timer.ratios(medians[1], medians[3])), "×", null));
        f.add(new Figure(section, "steps.orthograd_subset_over_ga",
                "one OrthoGrad step (per tensor, subset " + pattern + ") / one gradient-ascent step",
                Stats.of(Timer.ratios(medians[2], medians[3])), "×", null));
        f.add(new Figure(section, "steps.orthograd_ms", "OrthoGrad step (per tensor)", Stats.of(medians[0]).scale(1e3), "ms", null));
        f.add(new Figure(section, "steps.orthograd_global_ms", "OrthoGrad step (global)", Stats.of(medians[1]).scale(1e3), "ms", null));
        f.add(new Figure(section, "steps.orthograd_subset_ms", "OrthoGrad step (per tensor, subset)", Stats.of(medians[2]).scale(1e3), "ms", null));
        f.add(new Figure(section, "steps.ga_ms", "gradient-ascent step", Stats.of(medians[3]).scale(1e3), "ms", null));
        return f;
    }

    /** Seconds of each step after the first (the first also evaluates the reference set once). */
    private static double[] stepSeconds(StepwiseUnlearner method, Network net, UnlearningTask task) {
        long[] times = new long[STEPS_PER_ROUND + 1];
        int[] n = {0};
        method.unlearn(net, task, (step, network) -> times[n[0]++] = System.nanoTime());
        double[] d = new double[n[0] - 1];
        for (int i = 1; i < n[0]; i++) {
            d[i - 1] = (times[i] - times[i - 1]) / 1e9;
        }
        return d;
    }

    /** Whole runs: OrthoGrad with the bench defaults (all parameters and the subset) against retraining. */
    private List<Figure> versusRetrain(Network net, float[] theta0, String pattern, List<String> notes) {
        String section = "unlearning vs retraining from scratch (" + ARCHITECTURE.id() + ", "
                + split.remaining().size() + " remaining samples)";
        UnlearningSettings s = UnlearningSettings.defaults().withLearningRate(1e-3);
        UnlearningTask task = new UnlearningTask(split.forget(), split.retain(), reference, config.seed());
        int reps = config.unlearnRepetitions();
        double[] og = new double[reps];
        double[] ogSubset = new double[reps];
        double[] retrain = new double[reps];
        int[] steps = new int[reps];
        int[] epochs = new int[reps];
        for (int r = 0; r < reps; r++) {
            net.setParameters(theta0);
            UnlearningResult a = new OrthoGrad(s, ProjectionMode.PER_TENSOR).unlearn(net, task, (i, n) -> { });
            og[r] = a.seconds();
            steps[r] = a.steps();
            net.setParameters(theta0);
            ogSubset[r] = new OrthoGrad(s, ProjectionMode.PER_TENSOR, pattern).unlearn(net, task, (i, n) -> { }).seconds();
            net.setParameters(theta0);
            UnlearningResult b = new Retrain(split.remaining(), RECIPE, config.seed(), null).unlearn(net, task, (i, n) -> { });
            retrain[r] = b.seconds();
            epochs[r] = b.steps();
            progress.accept(String.format(Locale.ROOT, "unlearning: run %d of %d: orthograd %.2f s (%d steps, %s), subset %.2f s, retrain %.2f s (%d epochs)",
                    r + 1, reps, og[r], a.steps(), a.stopReason(), ogSubset[r], retrain[r], b.steps()));
        }
        notes.add("unlearning vs retraining: orthograd steps per run " + Arrays.toString(steps) + " (budget "
                + s.maxSteps() + ", stop rule " + s.stopRule().name().toLowerCase(Locale.ROOT) + "), retrain epochs "
                + Arrays.toString(epochs) + " (recipe: at most " + RECIPE.maxEpochs() + ", stop at loss " + RECIPE.targetLoss() + ")");
        List<Figure> f = new ArrayList<>();
        f.add(new Figure(section, "unlearning.orthograd_over_retrain", "OrthoGrad unlearning / retraining from scratch",
                Stats.of(Timer.ratios(og, retrain)), "×", Goal.atMost(RETRAIN_GOAL)));
        f.add(new Figure(section, "unlearning.orthograd_subset_over_retrain",
                "OrthoGrad on subset " + pattern + " / retraining from scratch",
                Stats.of(Timer.ratios(ogSubset, retrain)), "×", Goal.atMost(RETRAIN_GOAL)));
        f.add(new Figure(section, "unlearning.orthograd_s", "OrthoGrad unlearning", Stats.of(og), "s", null));
        f.add(new Figure(section, "unlearning.orthograd_subset_s", "OrthoGrad unlearning, subset", Stats.of(ogSubset), "s", null));
        f.add(new Figure(section, "unlearning.retrain_s", "retraining from scratch", Stats.of(retrain), "s", null));
        double perEpochPerSample = 0;
        for (int r = 0; r < reps; r++) {
            perEpochPerSample += retrain[r] / epochs[r] / split.remaining().size() / reps;
        }
        f.add(new Figure(section, "unlearning.retrain_ms_per_epoch_per_1000", "retraining cost per epoch per 1,000 samples",
                Stats.once(perEpochPerSample * 1000 * 1e3), "ms", null));
        return f;
    }
}
