package dev.lethe.perf;

import ai.djl.engine.Engine;
import dev.lethe.core.data.BenchmarkSplit;
import dev.lethe.core.data.FashionMnist;
import dev.lethe.core.data.LabelledImages;
import dev.lethe.core.data.SyntheticData;
import dev.lethe.core.model.Devices;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs the sections of {@code lethe perf} and collects their figures. Every ratio is measured side
 * by side in one run (see {@link Timer#interleaved}); nothing is read from earlier runs.
 */
public final class PerfRunner {

    /**
     * The section that needs Kafka and the running daemon: measured by the CLI
     * ({@code cli.LatencyPerf}), not here; the core only names it.
     */
    public static final String LATENCY_SECTION = "request → completed audit event latency (p50, p95)";

    private final PerfConfig config;
    private final Consumer<String> progress;
    private Path torchScriptModel;
    private String torchScriptHead;

    public PerfRunner(PerfConfig config, Consumer<String> progress) {
        this.config = config;
        this.progress = progress;
    }

    /** The model the {@code torchscript} section measures, and the pattern of its head's tensors. */
    public PerfRunner withTorchScript(Path model, String headPattern) {
        this.torchScriptModel = model;
        this.torchScriptHead = headPattern;
        return this;
    }

    public PerfReport run() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("date", Instant.now().toString());
        env.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        env.put("max heap", (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
        env.put("warm-up / repetitions", config.warmup() + " / " + config.repetitions());
        env.put("PyTorch threads", System.getProperty("ai.djl.pytorch.num_threads", "engine default")
                + " (interop " + System.getProperty("ai.djl.pytorch.num_interop_threads", "engine default") + ")");
        List<Figure> figures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        boolean needsModels = config.sections().stream().anyMatch(s -> s.equals("gradients") || s.equals("steps")
                || s.equals("unlearning") || s.equals("scale") || s.equals("torchscript"));
        BenchmarkSplit split = null;
        if (needsModels) {
            Engine engine = Engine.getEngine(Devices.ENGINE);
            env.put("engine", engine.getEngineName() + " " + engine.getVersion() + ", "
                    + Devices.describe(Devices.choose("auto")));
            split = split(env);
        }
        if (config.sections().contains("gradients")) {
            figures.addAll(GradientPerf.run(config, split.train(), progress, notes));
        }
        if (config.sections().contains("steps") || config.sections().contains("unlearning")) {
            figures.addAll(new UnlearningPerf(config, split, progress).run(notes));
        }
        if (config.sections().contains("torchscript")) {
            if (torchScriptModel == null) {
                throw new IllegalArgumentException("the torchscript section needs a model (lethe perf --model FILE.pt)");
            }
            figures.addAll(TorchScriptPerf.run(config, torchScriptModel, torchScriptHead, split.train(), progress, notes));
        }
        if (config.sections().contains("scale")) {
            figures.addAll(ScalePerf.run(config, pool, progress, notes));
        }
        if (config.sections().contains("ingest") || config.sections().contains("restart")) {
            Path indexDir = indexDir(config);
            double built = IndexFixture.ensure(indexDir, config.indexSamples(), images(), labels, progress);
            if (config.sections().contains("restart")) {
                figures.addAll(RestartPerf.run(config, indexDir, built, progress, notes));
            }
            if (config.sections().contains("ingest")) {
                figures.addAll(IngestPerf.run(config, indexDir, progress, notes));
            }
        }
        return new PerfReport(env, figures, Map.of(), notes);
    }

    private int[] labels;
    /** The images the model sections draw from (Fashion-MNIST's training split, or generated). */
    private LabelledImages pool;

    /** Subjects in that index. */
    public static int indexSubjects(PerfConfig config) {
        return IndexFixture.subjects(config.indexSamples());
    }

    /** Where the index of {@code config.indexSamples()} samples lives. */
    public static Path indexDir(PerfConfig config) {
        return config.workDir().resolve("index-" + config.indexSamples());
    }

    /** Images for the index's samples: Fashion-MNIST when installed, else generated. */
    private float[][] images() throws IOException {
        LabelledImages pool = FashionMnist.isAvailable(config.dataDir()) ? FashionMnist.load(config.dataDir()).train()
                : new SyntheticData(SyntheticData.DEFAULT_TASK_SEED).sample(1000, config.seed());
        labels = pool.labels();
        return pool.images();
    }

    /** The bench's default split: Fashion-MNIST when installed, else generated data (said in the report). */
    private BenchmarkSplit split(Map<String, String> env) throws IOException {
        if (FashionMnist.isAvailable(config.dataDir())) {
            progress.accept("loading Fashion-MNIST from " + config.dataDir());
            pool = FashionMnist.load(config.dataDir()).train();
            env.put("data", "Fashion-MNIST (" + config.dataDir() + ")");
        } else {
            progress.accept("Fashion-MNIST not found in " + config.dataDir() + ": using generated data");
            pool = new SyntheticData(SyntheticData.DEFAULT_TASK_SEED).sample(4000, config.seed());
            env.put("data", "generated (Fashion-MNIST not installed)");
        }
        return BenchmarkSplit.ofOnePool(pool, 2000, 200, 100, 1000, 1000, config.seed());
    }
}
