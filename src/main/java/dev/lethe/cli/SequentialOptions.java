package dev.lethe.cli;

import dev.lethe.bench.SequentialBenchmark;
import dev.lethe.bench.SequentialConfig;
import dev.lethe.bench.SequentialPlot;
import dev.lethe.bench.SequentialReport;
import dev.lethe.bench.SequentialReports;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.unlearn.ForgetObjective;
import dev.lethe.core.unlearn.StopRule;
import dev.lethe.core.unlearn.UnlearningSettings;
import dev.lethe.core.unlearn.VerifiedUnlearning;
import picocli.CommandLine.Option;

/**
 * {@code lethe bench --sequential}: many small erasures one after the other through the daemon's
 * core path, compared every few batches with a retrain. The shared options of {@code bench}
 * (dataset, sizes, training, unlearning settings, outputs) apply; {@code --validation-size} is
 * the daemon's holdout pool that the gate uses.
 */
public class SequentialOptions {

    @Option(names = "--sequential", description = "run the sequential benchmark instead of the method comparison")
    boolean enabled;

    @Option(names = "--erase-fraction", defaultValue = "0.1", description = "sequential: erase at least this share of the training set (default: ${DEFAULT-VALUE})")
    double eraseFraction;

    @Option(names = "--min-batches", defaultValue = "100", description = "sequential: and run at least this many batches (default: ${DEFAULT-VALUE})")
    int minBatches;

    @Option(names = "--subject-min", defaultValue = "1", description = "sequential: fewest samples of one subject (default: ${DEFAULT-VALUE})")
    int subjectMin;

    @Option(names = "--subject-max", defaultValue = "3", description = "sequential: most samples of one subject (default: ${DEFAULT-VALUE})")
    int subjectMax;

    @Option(names = "--large-every", defaultValue = "20", description = "sequential: every n-th batch is large, 0 = none (default: ${DEFAULT-VALUE})")
    int largeEvery;

    @Option(names = "--large-subjects", defaultValue = "5", description = "sequential: subjects in a large batch; others carry one (default: ${DEFAULT-VALUE})")
    int largeSubjects;

    @Option(names = "--checkpoint-every", defaultValue = "10", description = "sequential: retrain and compare every n batches (default: ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Option(names = "--sequential-retain", defaultValue = "500", description = "sequential: retain buffer, as the daemon's lethe.ingest.retain-size (default: ${DEFAULT-VALUE})")
    int retainSize;

    @Option(names = "--mia-threshold", defaultValue = "0.6", description = "sequential: the gate's lethe.verify.mia-threshold (default: ${DEFAULT-VALUE})")
    double miaThreshold;

    int run(BenchCommand b) throws Exception {
        UnlearningSettings unlearning = new UnlearningSettings(b.maxSteps, b.learningRates.get(0), b.alphas.get(0),
                b.retainBatch, !b.noAdam, ForgetObjective.parse(b.objective), StopRule.parse(b.stopRule), b.anchor);
        // The daemon's defaults: lethe.verify.forget-accuracy-tolerance and max-accuracy-drop 0.05.
        VerifiedUnlearning.Gate gate = VerifiedUnlearning.Gate.absolute(miaThreshold, 0.05, 0.05);
        SequentialConfig config = new SequentialConfig(b.dataset, b.dataDir, b.trainSize, eraseFraction, minBatches,
                subjectMin, subjectMax, largeEvery, largeSubjects, checkpointEvery, retainSize, b.validationSize,
                b.holdoutSize, Architecture.parse(b.architecture), b.device, b.seed,
                new TrainingRecipe(b.epochs, 32, b.trainingRate, b.targetLoss), unlearning, b.params, gate);
        long start = System.nanoTime();
        SequentialReport report = new SequentialBenchmark(config, line -> System.err.println("[sequential] " + line),
                partial -> write(partial, b)).run();
        System.out.println(SequentialReports.toMarkdown(report));
        write(report, b);
        System.err.printf("[sequential] done in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private static void write(SequentialReport report, BenchCommand b) {
        try {
            writeOutputs(report, b);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void writeOutputs(SequentialReport report, BenchCommand b) throws java.io.IOException {
        if (b.json != null) {
            SequentialReports.writeJson(report, b.json);
        }
        if (b.markdown != null) {
            SequentialReports.writeMarkdown(report, b.markdown);
        }
        if (b.plot != null) {
            SequentialPlot.render(report, b.plot);
        }
    }
}
