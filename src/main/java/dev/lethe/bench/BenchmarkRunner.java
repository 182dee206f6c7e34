package dev.lethe.bench;

import dev.lethe.core.data.BenchmarkSplit;
import dev.lethe.core.data.FashionMnist;
import dev.lethe.core.data.LabelledImages;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.data.SplitManifest;
import dev.lethe.core.data.SyntheticData;
import dev.lethe.core.model.Devices;
import dev.lethe.core.model.ModelFiles;
import dev.lethe.core.model.TorchScriptSplit;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.Predictions;
import dev.lethe.core.model.ParameterSubset;
import dev.lethe.core.model.SupervisedTraining;
import dev.lethe.core.unlearn.GradientAscent;
import dev.lethe.core.unlearn.NegGradPlus;
import dev.lethe.core.unlearn.OrthoGrad;
import dev.lethe.core.unlearn.ProjectionMode;
import dev.lethe.core.unlearn.RetainFineTune;
import dev.lethe.core.unlearn.Retrain;
import dev.lethe.core.unlearn.StepwiseUnlearner;
import dev.lethe.core.unlearn.UnlearningResult;
import dev.lethe.core.unlearn.UnlearningSettings;
import dev.lethe.core.unlearn.UnlearningTask;
import dev.lethe.core.verify.AttackResult;
import dev.lethe.core.verify.MembershipInference;
import dev.lethe.core.verify.UnlearningImpact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Runs the unlearning comparison: trains the original model, lets every method unlearn the
 * same forget set from the same original weights, trains the retrain oracle, and measures all
 * of them on the same splits.
 *
 * <p>Hyperparameters are chosen by one rule for every method (see {@link #selectionScore}) on a
 * selection split of never-seen data; the reported holdout is never looked at while choosing.
 * The validation split is halved: the first half is the methods' reference (what unseen data
 * looks like, for stop rules and loss matching), the second half only scores configurations.
 */
public final class BenchmarkRunner {

    private final BenchmarkConfig config;
    private final Consumer<String> progress;
    /** A team's own model, its retrain oracle and split, or null to train a built-in architecture. */
    private final TeamModel teamModel;

    /**
     * A model Lethe did not build: a TorchScript file, the retrain oracle trained by the same recipe
     * without the forget subjects (or null: no retrain row), and the split manifest both were
     * trained on ({@link SplitManifest}). The manifest decides train, forget, validation and
     * holdout; only the retain buffer is drawn here.
     */
    public record TeamModel(Path model, Path oracle, Path split) {
    }
    /** The original model's accuracy on the selection split: the utility a method must keep. */
    private double selectionBaseline = Double.NaN;

    public BenchmarkRunner(BenchmarkConfig config, Consumer<String> progress) {
        this(config, progress, null);
    }

    public BenchmarkRunner(BenchmarkConfig config, Consumer<String> progress, TeamModel teamModel) {
        this.config = config;
        this.progress = progress;
        this.teamModel = teamModel;
    }

    private int oracleRetrains = 1;

    /**
     * Trains the retrain oracle {@code n} times from different initial weights on the same data:
     * the first is {@code retrain}, the others {@code retrain-2}, … with their avgGap to the first —
     * the oracle's own spread, against which a method's gap can be read.
     */
    public BenchmarkRunner oracleRetrains(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("oracle retrains must be >= 1, was " + n);
        }
        this.oracleRetrains = n;
        return this;
    }

    public BenchmarkReport run() throws IOException {
        SplitManifest manifest = teamModel == null ? null : SplitManifest.read(teamModel.split());
        BenchmarkSplit split = manifest == null ? split() : teamSplit(manifest);
        int half = split.validation().size() / 2;
        SampleSet reference = split.validation().first(half);
        SampleSet selection = split.validation().with(split.validation().samples().subList(half, split.validation().size()));
        SampleSet remaining = split.remaining();
        progress.accept(String.format("split: train %d, forget %d (%d subjects), retain %d, reference %d, selection %d, holdout %d",
                split.train().size(), split.forget().size(), split.forgetSubjects().size(), split.retain().size(),
                reference.size(), selection.size(), split.holdout().size()));

        try (Network original = manifest == null ? Network.create(config.architecture(), split.train().shape(),
                split.train().numClasses(), Devices.choose(config.device()), config.seed())
                : ModelFiles.read(Files.readAllBytes(teamModel.model()), split.train().shape(),
                        split.train().numClasses(), Devices.choose(config.device()))) {
            progress.accept((manifest == null ? "training the original model (" + config.architecture().id()
                    : "the team's model " + teamModel.model() + " (" + original.describe()) + ", "
                    + original.parameterCount() + " parameters, " + Devices.describe(original.device()) + ")");
            ParameterSubset unlearned = original.parameterSubset(config.parameterPattern());
            if (!unlearned.isAll()) {
                progress.accept("the step-wise methods unlearn only " + unlearned + ": " + unlearned.names());
            }
            if (manifest != null) {
                progress.accept("  unlearning path: " + TorchScriptSplit.pathOf(original, unlearned));
            }
            SupervisedTraining.Summary trained = manifest != null
                    ? new SupervisedTraining.Summary(manifest.training().epochs(), Double.NaN,
                            manifest.training().modelSeconds())
                    : SupervisedTraining.train(original, split.train(), config.recipe(),
                    config.seed(), line -> progress.accept("  original " + line));
            // A team's model has its own tensor names: its reference heads are the layers it unlearns.
            BenchAttacks attacks = new BenchAttacks(original, remaining, split.forget(), split.holdout(), config.recipe(),
                    config.seed(), manifest != null && config.parameterPattern() != null ? config.parameterPattern()
                            : dev.lethe.core.verify.Rmia.Settings.defaults().frozenPattern());
            progress.accept(String.format("RMIA: %d reference heads trained in %.1f s",
                    dev.lethe.core.verify.Rmia.Settings.defaults().referenceModels(), attacks.trainSeconds()));
            Evaluator evaluator = new Evaluator(split.forget(), remaining, split.holdout(), attacks);
            ModelMetrics originalMetrics = evaluator.measure(original);
            progress.accept(String.format("original: %d epochs, %.1f s, train loss %.4f; %s", trained.epochs(),
                    trained.seconds(), trained.finalLoss(), describe(originalMetrics)));

            selectionBaseline = original.predict(selection).accuracy();
            MethodResult retrain = null;
            if (config.methods().contains("retrain") && manifest == null) {
                retrain = runRetrain(original, split, reference, evaluator, originalMetrics, config.seed(), "retrain", null);
            } else if (config.methods().contains("retrain") && teamModel.oracle() != null) {
                retrain = measureOracle(manifest, original, split.train().shape(), split.train().numClasses(),
                        evaluator, originalMetrics);
            }
            List<MethodResult> oracles = new ArrayList<>();
            for (int i = 2; retrain != null && i <= oracleRetrains; i++) {
                oracles.add(runRetrain(original, split, reference, evaluator, originalMetrics, config.seed() + 1000L * i,
                        "retrain-" + i, retrain));
            }
            List<MethodResult> results = new ArrayList<>(compare(original, split.forget(), split.retain(), reference,
                    selection, evaluator, originalMetrics, retrain));
            results.addAll(oracles);
            List<BenchmarkReport.SweepPoint> sweep = new ArrayList<>();
            if (config.retainSweep()) {
                for (double fraction : config.sweepFractions()) {
                    int size = Math.max(1, (int) Math.round(fraction * split.train().size()));
                    SampleSet retain = sampleRetain(remaining, size, config.seed() + 7919L * size);
                    progress.accept(String.format("retain sweep: %d samples (%.1f %% of train)", size, 100 * fraction));
                    sweep.add(new BenchmarkReport.SweepPoint(size, fraction, compare(original, split.forget(), retain,
                            reference, selection, evaluator, originalMetrics, retrain)));
                }
            }
            attacks.close();
            return new BenchmarkReport(config.dataset(), config.seed(), split.train().size(), split.forget().size(),
                    split.retain().size(), split.holdout().size(), split.validation().size(), original.parameterCount(),
                    manifest == null ? config.architecture().id() : original.describe(),
                    Devices.describe(original.device()), originalMetrics,
                    trained.seconds(), results, sweep, unlearned.size(), unlearned.isAll() ? List.of() : unlearned.names(),
                    manifest == null ? config.subjects().id() : "manifest");
        }
    }

    private BenchmarkSplit split() throws IOException {
        LabelledImages trainPool;
        LabelledImages testPool;
        if (config.dataset().equals("fashion-mnist")) {
            progress.accept("loading Fashion-MNIST from " + config.dataDir());
            FashionMnist data = FashionMnist.load(config.dataDir());
            trainPool = data.train();
            testPool = data.test();
        } else {
            progress.accept("generating synthetic data");
            SyntheticData generator = new SyntheticData(SyntheticData.DEFAULT_TASK_SEED);
            int unseen = config.validationSize() + config.holdoutSize();
            trainPool = generator.sample(config.trainSize() + unseen, config.seed());
            testPool = generator.sample(unseen, config.seed() + 1);
        }
        if (config.holdoutPool().equals("train-pool")) {
            return BenchmarkSplit.ofOnePool(trainPool, config.trainSize(), config.forgetSize(), config.retainSize(),
                    config.validationSize(), config.holdoutSize(), config.seed(), config.subjects());
        }
        return BenchmarkSplit.of(trainPool, testPool, config.trainSize(), config.forgetSize(), config.retainSize(),
                config.validationSize(), config.holdoutSize(), config.seed(), config.subjects());
    }

    private BenchmarkSplit teamSplit(SplitManifest manifest) throws IOException {
        progress.accept("loading Fashion-MNIST from " + config.dataDir() + " for the split in " + teamModel.split());
        LabelledImages pool = FashionMnist.load(config.dataDir()).train();
        return manifest.benchmarkSplit(pool, config.retainSize(), config.seed());
    }

    /** The team's retrain oracle, trained in PyTorch without the forget subjects: measured, not run. */
    private MethodResult measureOracle(SplitManifest manifest, Network original, int[] shape, int classes,
                                       Evaluator evaluator, ModelMetrics originalMetrics) throws IOException {
        try (Network oracle = ModelFiles.read(Files.readAllBytes(teamModel.oracle()), shape, classes, original.device())) {
            if (!oracle.layout().equals(original.layout())) {
                throw new IOException("the oracle's tensors differ from the model's: not the same recipe");
            }
            ModelMetrics m = evaluator.measure(oracle);
            progress.accept(String.format("  retrain: the team's oracle, trained in PyTorch in %.1f s: %s",
                    manifest.training().oracleSeconds(), describe(m)));
            Map<String, Object> hp = new LinkedHashMap<>();
            hp.put("source", "pytorch oracle " + teamModel.oracle().getFileName());
            hp.put("epochs", manifest.training().epochs());
            return new MethodResult("retrain", m, UnlearningImpact.uis(originalMetrics.testAcc(), m.testAcc(),
                    m.forgetAcc()), 0.0, manifest.training().epochs(), manifest.training().oracleSeconds(),
                    "trained", hp, List.of(evaluator.step(0, oracle)));
        }
    }

    /** Every step-wise method at one retain buffer, each tuned by the same rule, plus retrain. */
    private List<MethodResult> compare(Network original, SampleSet forget, SampleSet retain, SampleSet reference,
                                       SampleSet selection, Evaluator evaluator, ModelMetrics originalMetrics,
                                       MethodResult retrain) {
        List<MethodResult> results = new ArrayList<>();
        float[] theta0 = original.parameters();
        double gapBefore = evaluator.referenceMinusHoldoutLoss(original, reference);
        for (String method : config.methods()) {
            if (method.equals("retrain")) {
                results.add(retrain);
                continue;
            }
            UnlearningTask task = new UnlearningTask(forget, retain, reference, config.seed());
            Tuned best = tune(method, original, theta0, task, selection);
            progress.accept(String.format("  %s: chose %s (selection score %.4f)", method, best.hyperparameters, best.score));
            List<StepMetrics> trace = new ArrayList<>();
            original.setParameters(theta0);
            trace.add(evaluator.step(0, original));
            UnlearningResult r = best.unlearner.unlearn(original, task, (step, net) -> {
                if (step % config.traceEvery() == 0) {
                    trace.add(evaluator.step(step, net));
                }
            });
            if (trace.get(trace.size() - 1).step() != r.steps()) {
                trace.add(evaluator.step(r.steps(), original));
            }
            ModelMetrics m = evaluator.measure(original);
            results.add(result(method, m, originalMetrics, retrain, r, best.hyperparameters, trace));
            progress.accept(String.format("  %s: %d steps (%s), %.2f s; %s; reference − holdout loss %+.3f (original %+.3f)",
                    method, r.steps(), r.stopReason(), r.seconds(), describe(m),
                    evaluator.referenceMinusHoldoutLoss(original, reference), gapBefore));
            original.setParameters(theta0);
        }
        return results;
    }

    private record Tuned(StepwiseUnlearner unlearner, Map<String, Object> hyperparameters, double score) {
    }

    /** Grid search on the selection split; the holdout is not consulted. */
    private Tuned tune(String method, Network network, float[] theta0, UnlearningTask task, SampleSet selection) {
        boolean hasAlpha = method.startsWith("orthograd") || method.equals("neggrad-plus");
        List<Double> alphas = hasAlpha ? config.alphas() : List.of(config.unlearning().alpha());
        Tuned best = null;
        for (double lr : config.learningRates()) {
            for (double alpha : alphas) {
                UnlearningSettings s = config.unlearning().withLearningRate(lr).withAlpha(alpha);
                StepwiseUnlearner u = create(method, s);
                network.setParameters(theta0);
                UnlearningResult r = u.unlearn(network, task, StepwiseUnlearner.StepObserver.NONE);
                double score = selectionScore(network, task.forget(), selection);
                Map<String, Object> hp = new LinkedHashMap<>();
                hp.put("learningRate", lr);
                if (hasAlpha) {
                    hp.put("alpha", alpha);
                }
                hp.put("maxSteps", s.maxSteps());
                hp.put("retainBatchSize", s.retainBatchSize());
                hp.put("adam", s.adam());
                hp.put("objective", s.objective().name().toLowerCase(java.util.Locale.ROOT));
                hp.put("stopRule", s.stopRule().name().toLowerCase(java.util.Locale.ROOT));
                progress.accept(String.format("    tune %s lr=%g%s: %d steps (%s), %.2f s, score %.4f", method, lr,
                        hasAlpha ? " alpha=" + alpha : "", r.steps(), r.stopReason(), r.seconds(), score));
                if (best == null || score < best.score) {
                    best = new Tuned(u, hp, score);
                }
            }
        }
        network.setParameters(theta0);
        return best;
    }

    /**
     * The one rule that picks hyperparameters, for every method, from never-seen selection data
     * alone: |MIA AUC(forget vs selection) − ½| + |forget acc − selection acc| + drop in selection
     * acc below the original's. It asks for forget samples that look unseen, an accuracy on them
     * like unseen data's, and no loss of utility — which is where retraining would land.
     */
    private double selectionScore(Network network, SampleSet forget, SampleSet selection) {
        Predictions f = network.predict(forget);
        Predictions s = network.predict(selection);
        double auc = MembershipInference.lossAttack(f.losses(), s.losses()).auc();
        return Math.abs(auc - 0.5) + Math.abs(f.accuracy() - s.accuracy()) + Math.max(0, selectionBaseline - s.accuracy());
    }

    private StepwiseUnlearner create(String method, UnlearningSettings s) {
        return switch (method) {
            case "orthograd" -> new OrthoGrad(s, ProjectionMode.PER_TENSOR, config.parameterPattern());
            case "orthograd-global" -> new OrthoGrad(s, ProjectionMode.GLOBAL, config.parameterPattern());
            case "ga" -> new GradientAscent(s, config.parameterPattern());
            case "neggrad-plus" -> new NegGradPlus(s, config.parameterPattern());
            case "finetune" -> new RetainFineTune(s, config.parameterPattern());
            default -> throw new IllegalArgumentException("not a step-wise method: " + method);
        };
    }

    private MethodResult runRetrain(Network original, BenchmarkSplit split, SampleSet reference,
                                    Evaluator evaluator, ModelMetrics originalMetrics, long initSeed, String name,
                                    MethodResult first) {
        progress.accept("retraining from scratch without the forget set (the oracle" + (first == null ? ")" : ", again)"));
        float[] theta0 = original.parameters();
        Retrain retrain = new Retrain(split.remaining(), config.recipe(), initSeed,
                line -> progress.accept("  " + name + " " + line));
        UnlearningResult r = retrain.unlearn(original, new UnlearningTask(split.forget(), split.retain(), reference,
                initSeed), Retrain.StepObserver.NONE);
        ModelMetrics m = evaluator.measure(original);
        List<StepMetrics> trace = List.of(evaluator.step(0, original));
        original.setParameters(theta0);
        progress.accept(String.format("  %s: %d epochs, %.1f s; %s", name, r.steps(), r.seconds(), describe(m)));
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put("epochs", r.steps());
        hp.put("learningRate", config.recipe().learningRate());
        hp.put("batchSize", config.recipe().batchSize());
        return new MethodResult(name, m, UnlearningImpact.uis(originalMetrics.testAcc(), m.testAcc(), m.forgetAcc()),
                first == null ? 0.0 : avgGap(m, first.metrics()), r.steps(), r.seconds(), r.stopReason(), hp, trace);
    }

    private MethodResult result(String method, ModelMetrics m, ModelMetrics original, MethodResult retrain,
                                UnlearningResult r, Map<String, Object> hp, List<StepMetrics> trace) {
        double uis = UnlearningImpact.uis(original.testAcc(), m.testAcc(), m.forgetAcc());
        double gap = retrain == null ? Double.NaN : avgGap(m, retrain.metrics());
        return new MethodResult(method, m, uis, gap, r.steps(), r.seconds(), r.stopReason(), hp, trace);
    }

    static double avgGap(ModelMetrics a, ModelMetrics b) {
        return UnlearningImpact.avgGap(
                new double[]{a.forgetAcc(), a.retainAcc(), a.testAcc(), a.miaAuc()},
                new double[]{b.forgetAcc(), b.retainAcc(), b.testAcc(), b.miaAuc()});
    }

    private static SampleSet sampleRetain(SampleSet remaining, int size, long seed) {
        List<dev.lethe.core.data.Sample> all = new ArrayList<>(remaining.samples());
        java.util.Collections.shuffle(all, new Random(seed));
        return remaining.with(all.subList(0, Math.min(size, all.size())));
    }

    private static String describe(ModelMetrics m) {
        return String.format("FA %.3f RA %.3f TA %.3f MIA %.3f [%.3f, %.3f]", m.forgetAcc(), m.retainAcc(),
                m.testAcc(), m.miaAuc(), m.miaAucLow(), m.miaAucHigh());
    }

    /** Measures models on the reported splits: forget, remaining train (RA) and holdout. */
    private static final class Evaluator {
        private final SampleSet forget;
        private final SampleSet remaining;
        private final SampleSet holdout;
        private final BenchAttacks attacks;

        Evaluator(SampleSet forget, SampleSet remaining, SampleSet holdout, BenchAttacks attacks) {
            this.forget = forget;
            this.remaining = remaining;
            this.holdout = holdout;
            this.attacks = attacks;
        }

        ModelMetrics measure(Network network) {
            Predictions f = network.predict(forget);
            Predictions h = network.predict(holdout);
            double ra = network.predict(remaining).accuracy();
            Map<String, AttackResult> all = attacks.measure(network, f.losses(), h.losses());
            AttackResult mia = all.get("loss");
            return new ModelMetrics(f.accuracy(), ra, h.accuracy(), mia.auc(), mia.aucLow(), mia.aucHigh(), all);
        }

        /**
         * Mean loss on the reference images (which the methods see: stop rule, targets, anchor)
         * minus mean loss on the holdout (which they never see). If unlearning moves this gap, the
         * methods fitted the reference instead of keeping the function.
         */
        double referenceMinusHoldoutLoss(Network network, SampleSet reference) {
            return network.predict(reference).meanLoss() - network.predict(holdout).meanLoss();
        }

        StepMetrics step(int step, Network network) {
            Predictions f = network.predict(forget);
            Predictions h = network.predict(holdout);
            return new StepMetrics(step, f.accuracy(), h.accuracy(),
                    MembershipInference.lossAttack(f.losses(), h.losses()).auc());
        }
    }
}
