package dev.lethe.cli;

import dev.lethe.bench.BenchmarkConfig;
import dev.lethe.bench.BenchmarkReport;
import dev.lethe.bench.BenchmarkRunner;
import dev.lethe.bench.JsonReport;
import dev.lethe.bench.MarkdownReport;
import dev.lethe.bench.PlotRenderer;
import dev.lethe.core.data.FashionMnist;
import dev.lethe.core.data.Subjects;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.unlearn.ForgetObjective;
import dev.lethe.core.unlearn.StopRule;
import dev.lethe.core.unlearn.UnlearningSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code lethe bench}: compares unlearning methods on one split and prints the table. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Train a model, unlearn a forget set with each method, and compare them against retraining.")
public class BenchCommand implements Callable<Integer> {

    @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "fashion-mnist | synthetic (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--data-dir", description = "directory with the Fashion-MNIST IDX files (default: ${DEFAULT-VALUE})")
    Path dataDir = FashionMnist.DEFAULT_DIR;

    @Option(names = "--train-size", defaultValue = "2000", description = "training samples (default: ${DEFAULT-VALUE})")
    int trainSize;

    @Option(names = "--forget-size", defaultValue = "200", description = "samples to forget, taken as whole subjects (default: ${DEFAULT-VALUE})")
    int forgetSize;

    @Option(names = "--retain-size", defaultValue = "100", description = "retain buffer size (default: ${DEFAULT-VALUE})")
    int retainSize;

    @Option(names = "--validation-size", defaultValue = "1000", description = "never-trained-on samples for stop rules and tuning (default: ${DEFAULT-VALUE})")
    int validationSize;

    @Option(names = "--holdout-size", defaultValue = "1000", description = "never-trained-on samples for the reported metrics (default: ${DEFAULT-VALUE})")
    int holdoutSize;

    @Option(names = "--holdout-pool", defaultValue = "train-pool",
            description = "where validation and holdout samples come from: train-pool (unused training-split samples) | test-split (default: ${DEFAULT-VALUE})")
    String holdoutPool;

    @Option(names = "--subjects", defaultValue = "random",
            description = "how training samples are grouped into data subjects: random | correlated (each subject's samples"
                    + " near-duplicates: a random image and its nearest neighbours of the same class) (default: ${DEFAULT-VALUE})")
    String subjects;

    @Option(names = "--architecture", defaultValue = "cnn", description = "cnn | mlp | cnn-small | mlp-wide (default: ${DEFAULT-VALUE})")
    String architecture;

    @Option(names = "--device", defaultValue = "auto", description = "auto | cpu | gpu (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--methods", split = ",", description = "comma list of ${COMPLETION-CANDIDATES} (default: all)",
            completionCandidates = MethodNames.class)
    List<String> methods = BenchmarkConfig.ALL_METHODS;

    @Option(names = "--seed", defaultValue = "1", description = "seed for data split, initialisation and sampling (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--epochs", defaultValue = "60", description = "most training epochs for the original and retrain models (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--target-loss", defaultValue = "0.0001", description = "training stops once an epoch's mean loss is below this (default: ${DEFAULT-VALUE})")
    double targetLoss;

    @Option(names = "--training-lr", defaultValue = "0.002", description = "Adam learning rate for training, cosine-decayed (default: ${DEFAULT-VALUE})")
    double trainingRate;

    @Option(names = "--max-steps", defaultValue = "100", description = "unlearning step budget for every method (default: ${DEFAULT-VALUE})")
    int maxSteps;

    @Option(names = "--retain-batch", defaultValue = "32", description = "retain samples per step (default: ${DEFAULT-VALUE})")
    int retainBatch;

    @Option(names = "--objective", defaultValue = "match-log", description = "forget objective: ascent (paper) | match (bounded loss matching) | match-log (the same in log-loss) (default: ${DEFAULT-VALUE})")
    String objective;

    @Option(names = "--stop", defaultValue = "indistinguishable", description = "stop rule: accuracy (paper) | indistinguishable | budget (default: ${DEFAULT-VALUE})")
    String stopRule;

    @Option(names = "--no-adam", description = "use raw gradient directions instead of Adam-normalised ones")
    boolean noAdam;

    @Option(names = "--anchor", defaultValue = "20", description = "λ: weight of the function anchor (KL to the original's outputs on reference images) added to every retain term; 0 = off (default: ${DEFAULT-VALUE})")
    double anchor;

    @Option(names = "--lr-grid", split = ",", description = "learning rates tried for every method (default: 1e-3,3e-3,1e-2)")
    List<Double> learningRates = List.of(1e-3, 3e-3, 1e-2);

    @Option(names = "--alpha-grid", split = ",", description = "retain weights tried where a method has one (default: 0.5,0.9)")
    List<Double> alphas = List.of(0.5, 0.9);

    @Option(names = "--retain-sweep", description = "repeat the comparison over several retain sizes (see --sweep-fractions)")
    boolean retainSweep;

    @Option(names = "--sweep-fractions", split = ",", description = "retain sizes as fractions of train (default: 0.005,0.01,0.02,0.05,0.1)")
    List<Double> sweepFractions = List.of(0.005, 0.01, 0.02, 0.05, 0.1);

    @Option(names = "--oracle-retrains", defaultValue = "1", description = "retrain the oracle this many times from different initial weights (retrain, retrain-2, …): its own spread (default: ${DEFAULT-VALUE})")
    int oracleRetrains;

    @Option(names = "--mia-folds", defaultValue = "5", description = "folds of the cross-validated attack, which nothing reports any more (ADR 0012); kept so that existing scripts run (default: ${DEFAULT-VALUE})")
    int miaFolds;

    @Option(names = "--trace-every", defaultValue = "2", description = "evaluate the plotted metrics every N steps (default: ${DEFAULT-VALUE})")
    int traceEvery;

    @Option(names = "--params", defaultValue = "Linear", description = "regex over parameter names: the step-wise methods unlearn only the matching tensors, and layers in front of the first match run once per sample instead of every step; Linear = the dense layers (for cnn: the convolutions stay fixed), '.*' = every tensor (default: ${DEFAULT-VALUE})")
    String params;

    @Option(names = "--model", description = "a team's own model: a TorchScript file (torch.jit.save) trained on the images --split names; "
            + "the benchmark then unlearns it instead of training a built-in architecture (--architecture, --epochs and the size options are ignored)")
    Path model;

    @Option(names = "--oracle", description = "with --model: the retrain oracle, the same recipe trained without the split's forget subjects "
            + "(its row is measured, not trained here)")
    Path oracle;

    @Option(names = "--split", description = "with --model: the split manifest (split.json) the model and oracle were trained on, "
            + "as scripts/pytorch/train_fashion_bn.py writes it")
    Path split;

    @Option(names = "--json", description = "write the report as JSON to this file")
    Path json;

    @Option(names = "--markdown", description = "write the report as Markdown to this file")
    Path markdown;

    @Option(names = "--plot", description = "write a PNG plot of FA, TA and MIA AUC per step to this file")
    Path plot;

    @CommandLine.Mixin
    SequentialOptions sequential;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Method names for picocli's help text. */
    static final class MethodNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return BenchmarkConfig.ALL_METHODS.iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        if (dataset.equals("fashion-mnist") && !FashionMnist.isAvailable(dataDir)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Fashion-MNIST not found in " + dataDir
                    + ": install it with 'apt-get install -y " + FashionMnist.DEBIAN_PACKAGE
                    + "', point --data-dir at the IDX files, or use --dataset synthetic");
        }
        if (sequential.enabled) {
            return sequential.run(this);
        }
        if ((model == null) != (split == null) || (oracle != null && model == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--model needs --split (and takes --oracle); --split and --oracle need --model");
        }
        UnlearningSettings unlearning = new UnlearningSettings(maxSteps, learningRates.get(0), alphas.get(0),
                retainBatch, !noAdam, ForgetObjective.parse(objective), StopRule.parse(stopRule), anchor);
        BenchmarkConfig config = new BenchmarkConfig(dataset, dataDir, trainSize, forgetSize, retainSize,
                validationSize, holdoutSize, Architecture.parse(architecture), device, methods, seed,
                new TrainingRecipe(epochs, 32, trainingRate, targetLoss), unlearning, learningRates, alphas,
                retainSweep, sweepFractions, miaFolds, traceEvery, holdoutPool, params, Subjects.Grouping.parse(subjects));
        long start = System.nanoTime();
        // Units: the original model, the retrain oracle, and each method once per retain size.
        int units = 2 + methods.size() * (1 + (retainSweep ? sweepFractions.size() : 0));
        Progress progress = Progress.of("bench", units, "^(?:original: |  retrain: |  \\S+: \\d+ steps \\()");
        BenchmarkRunner.TeamModel team = model == null ? null : new BenchmarkRunner.TeamModel(model, oracle, split);
        BenchmarkReport report = new BenchmarkRunner(config, progress, team)
                .oracleRetrains(oracleRetrains).run();
        String table = MarkdownReport.toMarkdown(report);
        System.out.println(table);
        if (json != null) {
            JsonReport.write(report, json);
        }
        if (markdown != null) {
            MarkdownReport.write(report, markdown);
        }
        if (plot != null) {
            PlotRenderer.render(report, plot);
        }
        System.err.printf("[bench] done in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
