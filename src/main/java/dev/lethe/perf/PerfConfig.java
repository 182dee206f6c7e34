package dev.lethe.perf;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code lethe perf} measures and how often.
 *
 * @param sections        which sections to run: gradients, steps, unlearning, ingest, restart,
 *                        latency (measured outside the core, by the CLI: it needs Kafka and the
 *                        daemon), and (opt-in, ≈ 15 min) scale
 * @param dataDir         Fashion-MNIST directory; generated data is used when it is missing
 * @param warmup          discarded repetitions before timing
 * @param repetitions     timed repetitions of the fast figures
 * @param batchSize       B, the retain batch of per-sample gradients
 * @param parameterPattern regex for the parameter-subset figures (null: the architecture's last dense layers)
 * @param unlearnRepetitions repetitions of the (slow) unlearning-versus-retraining comparison
 * @param requests        deletion requests pushed through the ingest pipeline per repetition
 * @param indexSamples    samples in the index of the restart figure
 * @param workDir         where the RocksDB indexes live; an index of the right size found there is reused
 * @param architectures   architectures of the gradient figures
 * @param seed            data split and initialisation
 * @param scaleTrainSize  training samples of the at-scale unlearning-versus-retraining figure
 * @param scaleEpochs     epochs of the original and the retrain in that figure
 */
public record PerfConfig(List<String> sections, Path dataDir, int warmup, int repetitions, int batchSize,
                         String parameterPattern, int unlearnRepetitions, int requests, int indexSamples,
                         Path workDir, List<String> architectures, long seed,
                         int scaleTrainSize, int scaleEpochs) {

    /** What a plain {@code lethe perf} runs. */
    public static final List<String> DEFAULT_SECTIONS = List.of("gradients", "steps", "unlearning", "ingest", "restart",
            "latency");

    /** Every section; {@code scale} trains on the whole training split and is run only when asked for. */
    public static final List<String> ALL_SECTIONS = List.of("gradients", "steps", "unlearning", "ingest", "restart", "latency",
            "scale", "torchscript");

    public PerfConfig {
        sections = List.copyOf(sections);
        architectures = List.copyOf(architectures);
        for (String s : sections) {
            if (!ALL_SECTIONS.contains(s)) {
                throw new IllegalArgumentException("unknown section '" + s + "'; known: " + ALL_SECTIONS);
            }
        }
        if (repetitions < 1 || warmup < 0 || batchSize < 1 || unlearnRepetitions < 1 || requests < 1 || indexSamples < 1
                || scaleTrainSize < 1 || scaleEpochs < 1) {
            throw new IllegalArgumentException("repetitions, batch size and counts must be positive");
        }
    }
}
