package dev.lethe.perf;

import dev.lethe.core.data.SampleSet;
import dev.lethe.core.model.FrozenPrefix;
import dev.lethe.core.model.ModelFiles;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.ParameterSubset;
import dev.lethe.core.model.TorchScriptSplit;
import dev.lethe.core.unlearn.ForgetObjective;
import dev.lethe.core.unlearn.OrthoGrad;
import dev.lethe.core.unlearn.ProjectionMode;
import dev.lethe.core.unlearn.StepwiseUnlearner;
import dev.lethe.core.unlearn.StopRule;
import dev.lethe.core.unlearn.UnlearningSettings;
import dev.lethe.core.unlearn.UnlearningTask;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A team's TorchScript model on its three paths, side by side: the fast path with a rebuilt dense
 * head (factored per-sample gradients), the fast path with the module's own {@code classify}
 * (a per-sample loop), and the general path (the full forward, a per-sample loop). For each: the
 * per-sample gradients of a retain batch over one batched pass, and an OrthoGrad step.
 */
final class TorchScriptPerf {

    private static final String SECTION = "a team's TorchScript model: the three paths";
    private static final int STEPS = 5;

    private TorchScriptPerf() {
    }

    static List<Figure> run(PerfConfig config, Path modelFile, String headPattern, SampleSet pool,
                            Consumer<String> progress, List<String> notes) throws IOException {
        List<Figure> figures = new ArrayList<>();
        int b = config.batchSize();
        SampleSet batch = pool.first(b);
        UnlearningTask task = new UnlearningTask(pool.first(20), pool.with(pool.samples().subList(20, 20 + 4 * b)),
                pool.with(pool.samples().subList(20 + 4 * b, 20 + 6 * b)), config.seed());
        UnlearningSettings settings = new UnlearningSettings(STEPS, 1e-3, 0.5, b, true, ForgetObjective.MATCH_LOG,
                StopRule.BUDGET, 20);
        try (Network net = ModelFiles.read(Files.readAllBytes(modelFile), pool.shape(), pool.numClasses(),
                dev.lethe.core.model.Devices.choose("cpu"))) {
            ParameterSubset head = net.parameterSubset(headPattern);
            progress.accept(String.format(Locale.ROOT, "torchscript: %s, %,d parameters in %d tensors; head %s",
                    modelFile.getFileName(), net.parameterCount(), net.layout().size(), head));
            notes.add(String.format(Locale.ROOT, "torchscript section: %s (%,d parameters), head pattern '%s' (%,d "
                    + "parameters), B = %d, OrthoGrad (global) steps of %d", modelFile.getFileName(),
                    net.parameterCount(), headPattern, head.size(), b, STEPS));
            // The general path: the whole module, every tensor unlearned.
            ParameterSubset all = net.parameterSubset(".*");
            float[] theta = net.parameters();
            StepwiseUnlearner full = new OrthoGrad(settings, ProjectionMode.GLOBAL, ".*");
            double[][] t = Timer.interleaved(config.warmup(), config.repetitions(),
                    () -> net.meanGradient(batch),
                    () -> net.perSampleGradientParts(batch, all),
                    () -> {
                        net.setParameters(theta);
                        full.unlearn(net, task, StepwiseUnlearner.StepObserver.NONE);
                    });
            net.setParameters(theta);
            add(figures, "full_forward_loop", "general path (full forward, per-sample loop, all tensors)", t, b);
            for (boolean rebuild : new boolean[] {true, false}) {
                Optional<FrozenPrefix> found = TorchScriptSplit.split(net, head, rebuild);
                if (found.isEmpty()) {
                    notes.add("torchscript section: the module has no embed/classify split for '" + headPattern + "'");
                    break;
                }
                try (FrozenPrefix split = found.get()) {
                    double[] embed = Timer.interleaved(config.warmup(), config.repetitions(),
                            () -> split.features(task.forget().with(task.retain().samples())))[0];
                    UnlearningTask onFeatures = new UnlearningTask(split.features(task.forget()),
                            split.features(task.retain()), split.features(task.reference()), task.seed());
                    SampleSet features = split.features(batch);
                    Network h = split.head();
                    ParameterSubset hs = h.parameterSubset(headPattern);
                    float[] h0 = h.parameters();
                    StepwiseUnlearner onHead = new OrthoGrad(settings, ProjectionMode.GLOBAL, headPattern);
                    double[][] th = Timer.interleaved(config.warmup(), config.repetitions(),
                            () -> h.meanGradient(features),
                            () -> h.perSampleGradientParts(features, hs),
                            () -> {
                                h.setParameters(h0);
                                onHead.unlearn(h, onFeatures, StepwiseUnlearner.StepObserver.NONE);
                            });
                    h.setParameters(h0);
                    String id = rebuild ? "embed_dense_head" : "embed_classify_loop";
                    add(figures, id, rebuild ? "fast path (embed once, dense head rebuilt, factored per-sample gradients)"
                            : "fast path (embed once, the module's classify, per-sample loop)", th, b);
                    int n = onFeatures.forget().size() + onFeatures.retain().size();
                    figures.add(new Figure(SECTION, "torchscript." + id + ".embed_ms_per_sample",
                            id + ": embed, once per sample (before the steps)",
                            Stats.of(embed).scale(1e3 / n), "ms", null));
                }
            }
        }
        return figures;
    }

    private static void add(List<Figure> figures, String id, String label, double[][] t, int b) {
        figures.add(new Figure(SECTION, "torchscript." + id + ".per_sample_over_batched",
                label + ": per-sample gradients of B = " + b + " / one batched pass", Stats.of(Timer.ratios(t[1], t[0])),
                "×", null));
        figures.add(new Figure(SECTION, "torchscript." + id + ".step_ms", label + ": one OrthoGrad step",
                Stats.of(t[2]).scale(1e3 / STEPS), "ms", null));
        figures.add(new Figure(SECTION, "torchscript." + id + ".batched_ms", label + ": one batched pass (B = " + b + ")",
                Stats.of(t[0]).scale(1e3), "ms", null));
    }
}
