package dev.lethe.cli;

import dev.lethe.core.data.FashionMnist;
import dev.lethe.core.perf.PerfConfig;
import dev.lethe.core.perf.PerfReport;
import dev.lethe.core.perf.PerfRunner;
import dev.lethe.core.perf.RequestStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code lethe perf}: measures the cost ratios of issue 6 side by side in one run and prints them. */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Measure per-sample gradient, unlearning, ingest and restart costs as ratios, side by side in one run.")
public class PerfCommand implements Callable<Integer> {

    @Option(names = "--sections", split = ",", description = "comma list of gradients, steps, unlearning, ingest, restart, "
            + "scale (default: all but scale, which trains on the whole training split: ≈ 15 min more)")
    List<String> sections = PerfConfig.DEFAULT_SECTIONS;

    @Option(names = "--data-dir", description = "directory with the Fashion-MNIST IDX files (default: ${DEFAULT-VALUE})")
    Path dataDir = FashionMnist.DEFAULT_DIR;

    @Option(names = "--warmup", defaultValue = "5", description = "discarded repetitions before timing (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--repetitions", defaultValue = "15", description = "timed repetitions (default: ${DEFAULT-VALUE})")
    int repetitions;

    @Option(names = "--batch", defaultValue = "32", description = "B, samples per per-sample gradient batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--params", description = "regex over parameter names for the subset figures (default: the last two weighted layers)")
    String params;

    @Option(names = "--unlearn-repetitions", defaultValue = "3", description = "repetitions of unlearning vs retraining (default: ${DEFAULT-VALUE})")
    int unlearnRepetitions;

    @Option(names = "--requests", defaultValue = "200000", description = "deletion requests per ingest repetition (default: ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--index-samples", defaultValue = "1000000", description = "samples in the index for the restart figure (default: ${DEFAULT-VALUE})")
    int indexSamples;

    @Option(names = "--work-dir", description = "where the RocksDB indexes are built; a matching index there is reused (default: ${DEFAULT-VALUE})")
    Path workDir = Path.of(System.getProperty("java.io.tmpdir"), "lethe-perf");

    @Option(names = "--architectures", split = ",", description = "architectures of the gradient figures (default: cnn-small,mlp-wide,cnn,mlp)")
    List<String> architectures = List.of("cnn-small", "mlp-wide", "cnn", "mlp");

    @Option(names = "--scale-train-size", defaultValue = "57000", description = "training samples of the scale section (default: ${DEFAULT-VALUE})")
    int scaleTrainSize;

    @Option(names = "--scale-epochs", defaultValue = "20", description = "epochs of the original and the retrain in the scale section (default: ${DEFAULT-VALUE})")
    int scaleEpochs;

    @Option(names = "--seed", defaultValue = "1", description = "seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--kafka", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "also measure ingest through a Kafka consumer against the in-JVM broker (default: ${DEFAULT-VALUE}; --no-kafka to skip)")
    boolean kafka;

    @Option(names = "--json", description = "write the report as JSON to this file")
    Path json;

    @Option(names = "--markdown", description = "write the report as Markdown to this file")
    Path markdown;

    @Override
    public Integer call() throws Exception {
        PerfConfig config = new PerfConfig(sections, dataDir, warmup, repetitions, batch, params, unlearnRepetitions,
                requests, indexSamples, workDir, architectures, seed, scaleTrainSize, scaleEpochs);
        long start = System.nanoTime();
        java.util.function.Consumer<String> progress = line -> System.err.println("[perf] " + line);
        PerfReport report = new PerfRunner(config, progress).run();
        if (kafka && sections.contains("ingest")) {
            List<String> notes = new java.util.ArrayList<>();
            List<dev.lethe.core.perf.Figure> figures = KafkaIngestPerf.run(
                    RequestStream.generate(requests, PerfRunner.indexSubjects(config), seed), PerfRunner.indexDir(config),
                    Math.max(3, repetitions / 3), progress, notes);
            report = report.with(figures, notes);
        }
        System.out.println(report.toMarkdown());
        if (json != null) {
            report.writeJson(json);
        }
        if (markdown != null) {
            report.writeMarkdown(markdown);
        }
        System.err.printf("[perf] done in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
