package dev.lethe.cli;

import dev.lethe.core.data.FashionMnist;
import dev.lethe.perf.PerfConfig;
import dev.lethe.perf.PerfReport;
import dev.lethe.perf.PerfRunner;
import dev.lethe.perf.RequestStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code lethe perf}: measures the cost ratios of issue 6 side by side in one run and prints them. */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Measure per-sample gradient, unlearning, ingest and restart costs as ratios, side by side in one run, "
                + "and the request → audit latency of the daemon under a steady request stream.")
public class PerfCommand implements Callable<Integer> {

    @Option(names = "--model", description = "for the torchscript section: a TorchScript file (1×28×28 inputs, 10 classes) "
            + "exporting embed/classify, e.g. what scripts/pytorch/train_fashion_bn.py writes")
    Path model;

    @Option(names = "--head", defaultValue = "^head\\.", description = "for the torchscript section: the head's tensors (default: ${DEFAULT-VALUE})")
    String head;

    @Option(names = "--sections", split = ",", description = "comma list of gradients, steps, unlearning, ingest, restart, "
            + "latency, scale, torchscript (default: all but scale, which trains on the whole training split: ≈ 15 min more, and torchscript, which needs --model)")
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
            description = "run the parts that need the in-JVM Kafka broker: ingest through a Kafka consumer, and the latency "
                    + "section (default: ${DEFAULT-VALUE}; --no-kafka to skip them)")
    boolean kafka;

    @Option(names = "--latency-requests", defaultValue = "100",
            description = "latency section: deletion requests sent, one per subject (default: ${DEFAULT-VALUE})")
    int latencyRequests;

    @Option(names = "--latency-rate", defaultValue = "2",
            description = "latency section: requests per second, steady (default: ${DEFAULT-VALUE})")
    double latencyRate;

    @Option(names = "--latency-linger", defaultValue = "2s",
            description = "latency section: the daemon's batch linger, lethe.batch.linger (default: ${DEFAULT-VALUE})")
    String latencyLinger;

    @Option(names = "--latency-max-samples", defaultValue = "200",
            description = "latency section: the daemon's lethe.batch.max-samples (default: ${DEFAULT-VALUE})")
    int latencyMaxSamples;

    @Option(names = "--latency-train-size", defaultValue = "2000",
            description = "latency section: training images of the served CNN, in subjects of 5-15 (about a tenth as "
                    + "many subjects, the most requests it can send; default: ${DEFAULT-VALUE})")
    int latencyTrainSize;

    @Option(names = "--latency-epochs", defaultValue = "60",
            description = "latency section: epochs of the CNN the daemon serves (default: ${DEFAULT-VALUE})")
    int latencyEpochs;

    @Option(names = "--json", description = "write the report as JSON to this file")
    Path json;

    @Option(names = "--markdown", description = "write the report as Markdown to this file")
    Path markdown;

    /** "2s", "500ms", "1m", or ISO-8601 ("PT2S"). */
    static java.time.Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.startsWith("pt") || t.startsWith("p")) {
            return java.time.Duration.parse(text.trim());
        }
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m)").matcher(t);
        if (!m.matches()) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new PerfCommand()),
                    "--latency-linger: not a duration: " + text + " (e.g. 2s, 500ms, 1m)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> java.time.Duration.ofMillis(n);
            case "s" -> java.time.Duration.ofSeconds(n);
            default -> java.time.Duration.ofMinutes(n);
        };
    }

    @Override
    public Integer call() throws Exception {
        if (latencyRequests < 1 || !(latencyRate > 0) || latencyMaxSamples < 1 || latencyEpochs < 1 || latencyTrainSize < 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--latency-requests, "
                    + "--latency-rate, --latency-max-samples, --latency-train-size and --latency-epochs must be positive");
        }
        parseDuration(latencyLinger);
        PerfConfig config = new PerfConfig(sections, dataDir, warmup, repetitions, batch, params, unlearnRepetitions,
                requests, indexSamples, workDir, architectures, seed, scaleTrainSize, scaleEpochs);
        long start = System.nanoTime();
        // k/N + ETA over the long repeated runs (scale ≈ 20 min, unlearning): one unit per run line.
        int runs = unlearnRepetitions * (int) sections.stream().filter(s -> s.equals("scale") || s.equals("unlearning")).count();
        java.util.function.Consumer<String> progress = runs > 0
                ? Progress.of("perf", runs, "^(?:scale: run \\d+:|unlearning: run \\d+ of)")
                : line -> System.err.println("[perf] " + line);
        PerfReport report = new PerfRunner(config, progress).withTorchScript(model, head).run();
        if (kafka && sections.contains("ingest")) {
            List<String> notes = new java.util.ArrayList<>();
            List<dev.lethe.perf.Figure> figures = KafkaIngestPerf.run(
                    RequestStream.generate(requests, PerfRunner.indexSubjects(config), seed), PerfRunner.indexDir(config),
                    workDir, Math.max(3, repetitions / 3), progress, notes);
            report = report.with(figures, notes);
        }
        if (sections.contains("latency")) {
            if (kafka) {
                List<String> notes = new java.util.ArrayList<>();
                LatencyPerf.Settings settings = new LatencyPerf.Settings(latencyRequests, latencyRate,
                        parseDuration(latencyLinger), latencyMaxSamples, latencyTrainSize, 1000, latencyEpochs);
                report = report.with(LatencyPerf.run(settings, workDir, progress, notes), notes);
            } else {
                report = report.withPending(PerfRunner.LATENCY_SECTION, "Skipped by --no-kafka: it needs the in-JVM "
                        + "Kafka broker and the daemon.");
            }
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
