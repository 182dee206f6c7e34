package dev.lethe.perf;

import dev.lethe.core.data.BenchmarkSplit;
import dev.lethe.core.data.LabelledImages;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.model.Devices;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.Predictions;
import dev.lethe.core.model.SupervisedTraining;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.unlearn.OrthoGrad;
import dev.lethe.core.unlearn.ProjectionMode;
import dev.lethe.core.unlearn.Retrain;
import dev.lethe.core.unlearn.UnlearningResult;
import dev.lethe.core.unlearn.UnlearningSettings;
import dev.lethe.core.unlearn.UnlearningTask;
import dev.lethe.core.verify.MembershipInference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Unlearning against retraining at the size a deployed model is trained on: the CNN on (almost)
 * the whole Fashion-MNIST training split instead of the benchmark's 2,000 images.
 *
 * <p>Why a second figure: unlearning costs the same whatever the training-set size (its inputs
 * are the forget set, a retain batch and the reference set), while retraining grows with it. At
 * the benchmark's 1,790 remaining samples a retrain takes ≈ 19 s, so 1/50 of it is ≈ 4 OrthoGrad
 * steps; here the retrain is what a real one costs. The same unlearner (the core's defaults,
 * stop rule included) and the same recipe for original and retrain are used, and the report
 * says how far the unlearning went (steps, stop reason, membership AUC and test accuracy before
 * and after, the retrain's) so that a short run cannot pass for forgetting it did not do.
 */
final class ScalePerf {

    static final double GOAL = UnlearningPerf.RETRAIN_GOAL;
    static final int FORGET = 200;
    static final int RETAIN = 100;
    static final int VALIDATION = 1000;
    static final int HOLDOUT = 2000;

    private ScalePerf() {
    }

    static List<Figure> run(PerfConfig config, LabelledImages pool, Consumer<String> progress, List<String> notes) {
        int trainSize = Math.min(config.scaleTrainSize(), pool.size() - VALIDATION - HOLDOUT);
        BenchmarkSplit split = BenchmarkSplit.ofOnePool(pool, trainSize, FORGET, RETAIN, VALIDATION, HOLDOUT, config.seed());
        // Same batch size, learning rate and target loss as the benchmark's recipe; fewer epochs,
        // as a 56k-image model needs (and as it would be trained), which makes retraining cheaper.
        TrainingRecipe recipe = new TrainingRecipe(config.scaleEpochs(), UnlearningPerf.RECIPE.batchSize(),
                UnlearningPerf.RECIPE.learningRate(), UnlearningPerf.RECIPE.targetLoss());
        SampleSet reference = split.validation();
        UnlearningSettings settings = UnlearningSettings.defaults().withLearningRate(1e-3);
        UnlearningTask task = new UnlearningTask(split.forget(), split.retain(), reference, config.seed());
        String section = String.format(Locale.ROOT, "unlearning vs retraining at scale (%s, %,d training samples, %d epochs)",
                UnlearningPerf.ARCHITECTURE.id(), split.train().size(), recipe.maxEpochs());
        int reps = config.unlearnRepetitions();
        double[] og = new double[reps];
        double[] retrain = new double[reps];
        List<String> runs = new ArrayList<>();
        try (Network net = Network.create(UnlearningPerf.ARCHITECTURE, split.train().shape(), split.train().numClasses(),
                Devices.choose("cpu"), config.seed())) {
            progress.accept(String.format(Locale.ROOT, "scale: training the original on %,d samples, %d epochs",
                    split.train().size(), recipe.maxEpochs()));
            SupervisedTraining.Summary trained = SupervisedTraining.train(net, split.train(), recipe, config.seed(), null);
            float[] theta0 = net.parameters();
            Outcome original = Outcome.of(net, split, config.seed());
            notes.add(String.format(Locale.ROOT, "scale: original trained %d epochs in %.1f s (final loss %.4f); "
                            + "forget %d samples (%d subjects), retain buffer %d, reference %d, holdout %d; original: %s",
                    trained.epochs(), trained.seconds(), trained.finalLoss(), split.forget().size(),
                    split.forgetSubjects().size(), split.retain().size(), reference.size(), split.holdout().size(), original));
            for (int r = 0; r < reps; r++) {
                net.setParameters(theta0);
                UnlearningResult a = new OrthoGrad(settings, ProjectionMode.PER_TENSOR).unlearn(net, task, (i, n) -> { });
                Outcome unlearned = Outcome.of(net, split, config.seed());
                net.setParameters(theta0);
                UnlearningResult b = new Retrain(split.remaining(), recipe, config.seed(), null).unlearn(net, task, (i, n) -> { });
                Outcome retrained = Outcome.of(net, split, config.seed());
                og[r] = a.seconds();
                retrain[r] = b.seconds();
                String line = String.format(Locale.ROOT, "run %d: orthograd %.2f s, %d steps (stop %s) → %s; "
                                + "retrain %.1f s, %d epochs → %s",
                        r + 1, og[r], a.steps(), a.stopReason(), unlearned, retrain[r], b.steps(), retrained);
                runs.add(line);
                progress.accept("scale: " + line);
            }
        }
        notes.add("scale: " + String.join("; ", runs));
        notes.add("scale: unlearner = UnlearningSettings.defaults() (" + settings.maxSteps() + "-step budget, stop rule "
                + settings.stopRule().name().toLowerCase(Locale.ROOT) + ", lr " + settings.learningRate()
                + ", anchor " + settings.anchor() + "), per-tensor projection; retrain = the original's recipe on the remaining samples; seconds "
                + Arrays.toString(og) + " vs " + Arrays.toString(retrain));
        List<Figure> f = new ArrayList<>();
        f.add(new Figure(section, "scale.orthograd_over_retrain", "OrthoGrad unlearning / retraining from scratch",
                Stats.of(Timer.ratios(og, retrain)), "×", Goal.atMost(GOAL)));
        f.add(new Figure(section, "scale.orthograd_s", "OrthoGrad unlearning", Stats.of(og), "s", null));
        f.add(new Figure(section, "scale.retrain_s", "retraining from scratch", Stats.of(retrain), "s", null));
        return f;
    }

    /** What a model looks like on the forget set and the holdout: did forgetting happen, at what cost. */
    record Outcome(double forgetAccuracy, double testAccuracy, double miaAuc) {

        static Outcome of(Network net, BenchmarkSplit split, long seed) {
            Predictions forget = net.predict(split.forget());
            Predictions holdout = net.predict(split.holdout());
            double auc = MembershipInference.lossAttack(forget.losses(), holdout.losses()).auc();
            return new Outcome(forget.accuracy(), holdout.accuracy(), auc);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "FA %.3f, TA %.3f, MIA AUC %.3f", forgetAccuracy, testAccuracy, miaAuc);
        }
    }
}
