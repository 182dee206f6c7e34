package dev.lethe.perf;

import dev.lethe.core.data.SampleSet;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.ParameterSubset;

import ai.djl.Device;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Per-sample gradients of a batch of B samples against one batched pass of the same samples (the
 * mean gradient: forward, backward, gradient copied to the JVM), measured side by side: the fast
 * path ({@link Network#perSampleGradients}), the loop reference and, for a parameter subset, the
 * fast path over the subset only.
 */
final class GradientPerf {

    static final double GOAL = 3.0;

    private GradientPerf() {
    }

    static List<Figure> run(PerfConfig config, SampleSet pool, Consumer<String> progress, List<String> notes) {
        List<Figure> figures = new ArrayList<>();
        String section = "per-sample gradients (B = " + config.batchSize() + ")";
        for (String name : config.architectures()) {
            Architecture arch = Architecture.parse(name);
            SampleSet batch = pool.with(pool.samples().subList(0, config.batchSize()));
            try (Network net = Network.create(arch, pool.shape(), pool.numClasses(), Device.cpu(), config.seed())) {
                ParameterSubset subset = net.parameterSubset(pattern(config, net));
                progress.accept(String.format(Locale.ROOT, "gradients: %s, %,d parameters (subset %s)",
                        arch.id(), net.parameterCount(), subset));
                ParameterSubset all = net.parameterSubset(null);
                float[][] matrix = new float[batch.size()][net.parameterCount()];
                float[][] subsetMatrix = new float[batch.size()][subset.size()];
                double[][] t = Timer.interleaved(config.warmup(), config.repetitions(),
                        () -> net.meanGradient(batch),
                        () -> net.perSampleGradients(batch, all, matrix),
                        () -> net.perSampleGradientsByLoop(batch),
                        () -> net.perSampleGradients(batch, subset, subsetMatrix),
                        () -> net.perSampleGradients(batch));
                String a = arch.id();
                String p = String.format(Locale.ROOT, "%s, %,d params", a, net.parameterCount());
                boolean goal = arch == Architecture.CNN_SMALL || arch == Architecture.MLP_WIDE;
                figures.add(new Figure(section, "gradients." + a + ".fast_over_batched",
                        p + ": per-sample (fast path, B×P matrix reused as OrthoGrad does) / one batched pass",
                        Stats.of(Timer.ratios(t[1], t[0])), "×", goal ? Goal.atMost(GOAL) : null));
                figures.add(new Figure(section, "gradients." + a + ".fresh_over_batched",
                        p + ": per-sample (fast path, new B×P matrix each call) / one batched pass",
                        Stats.of(Timer.ratios(t[4], t[0])), "×", null));
                figures.add(new Figure(section, "gradients." + a + ".loop_over_batched",
                        p + ": per-sample (loop) / one batched pass",
                        Stats.of(Timer.ratios(t[2], t[0])), "×", null));
                figures.add(new Figure(section, "gradients." + a + ".batched_ms", p + ": one batched pass",
                        Stats.of(t[0]).scale(1e3), "ms", null));
                figures.add(new Figure(section, "gradients." + a + ".fast_ms", p + ": per-sample, fast path",
                        Stats.of(t[1]).scale(1e3), "ms", null));
                figures.add(new Figure(section, "gradients." + a + ".loop_ms", p + ": per-sample, loop",
                        Stats.of(t[2]).scale(1e3), "ms", null));
                figures.add(new Figure(section, "gradients." + a + ".subset_ms",
                        String.format(Locale.ROOT, "%s: per-sample over subset (%,d params), fast path, reused matrix", a, subset.size()),
                        Stats.of(t[3]).scale(1e3), "ms", null));
                figures.add(new Figure(section, "gradients." + a + ".subset_over_batched",
                        a + ": per-sample over subset / one batched pass",
                        Stats.of(Timer.ratios(t[3], t[0])), "×", null));
                figures.add(new Figure(section, "gradients." + a + ".matrix_mib",
                        a + ": B×P float32 matrix, all parameters", Stats.once(mib(config.batchSize(), net.parameterCount())),
                        "MiB", null));
                figures.add(new Figure(section, "gradients." + a + ".subset_matrix_mib",
                        a + ": B×P float32 matrix, subset", Stats.once(mib(config.batchSize(), subset.size())), "MiB", null));
                notes.add(String.format(Locale.ROOT, "%s subset: pattern %s selects %s", a,
                        subset.pattern(), subset.names()));
            }
        }
        return figures;
    }

    static double mib(int b, int p) {
        return (double) b * p * Float.BYTES / (1024.0 * 1024.0);
    }

    /** The configured pattern, or one selecting the last two weighted layers (four tensors). */
    static String pattern(PerfConfig config, Network net) {
        if (config.parameterPattern() != null) {
            return config.parameterPattern();
        }
        List<Network.ParameterSlice> layout = net.layout();
        List<String> last = new ArrayList<>();
        for (int i = Math.max(0, layout.size() - 4); i < layout.size(); i++) {
            last.add(layout.get(i).name()); // names are letters, digits and _
        }
        return "^(" + String.join("|", last) + ")$";
    }
}
