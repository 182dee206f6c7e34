package dev.lethe.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The fast path for a team's TorchScript module (ADR 0010 for models Lethe did not build): a module
 * that exports {@code embed(x)} and {@code classify(z)} with {@code forward(x) ==
 * classify(embed(x))}, whose unlearned tensors all belong to {@code classify}, runs {@code embed}
 * once per sample and takes its steps on {@code classify}.
 *
 * <p>Where {@code classify} is a stack of Linear layers with ReLU between them, it is rebuilt as a
 * built-in dense head (checked against the module's own outputs), so per-sample gradients use the
 * factored outer-product form. Any other {@code classify} runs as the module's own method, with one
 * backward pass per sample. Everything else takes the general path: the full forward, per-sample
 * gradients by a loop.
 */
public final class TorchScriptSplit {

    static final String EMBED = "embed";
    static final String CLASSIFY = "classify";
    /** Probe inputs for the checks; random pixels in [0, 1). */
    private static final int PROBE = 8;
    /** Largest probability difference at which two computations count as the same function. */
    private static final double SAME = 1e-5;

    /** How a network will be unlearned, for logs, events and the perf report. */
    public enum Path {
        /** A built-in architecture's layers (ReplicatedForward or FrozenPrefix). */
        BUILT_IN,
        /** TorchScript: {@code embed} once, steps on a dense head with factored per-sample gradients. */
        EMBED_DENSE_HEAD,
        /** TorchScript: {@code embed} once, steps on the module's {@code classify}, per-sample loop. */
        EMBED_CLASSIFY_LOOP,
        /** TorchScript: the full forward every step, per-sample loop. */
        FULL_FORWARD_LOOP
    }

    private TorchScriptSplit() {
    }

    /** Which path unlearning {@code subset} of {@code network} takes. */
    public static Path pathOf(Network network, ParameterSubset subset) {
        if (!network.isTorchScript()) {
            return Path.BUILT_IN;
        }
        try (FrozenPrefix split = of(network, subset).orElse(null)) {
            return split == null ? Path.FULL_FORWARD_LOOP
                    : split.headIsDense() ? Path.EMBED_DENSE_HEAD : Path.EMBED_CLASSIFY_LOOP;
        }
    }

    static Optional<FrozenPrefix> of(Network network, ParameterSubset subset) {
        return split(network, subset, true);
    }

    /**
     * The split the fast path takes, or empty for the general path. {@code rebuildDenseHead} false
     * keeps {@code classify} as the module's own method even where it is a dense stack: the
     * per-sample-loop path, for measuring what the rebuild saves.
     */
    public static Optional<FrozenPrefix> split(Network network, ParameterSubset subset, boolean rebuildDenseHead) {
        TorchScriptModule module = network.torchScript();
        if (!module.hasMethod(EMBED) || !module.hasMethod(CLASSIFY) || subset.isAll()) {
            return Optional.empty();
        }
        SampleSet probe = probe(network);
        int[] featureShape;
        float[] features;
        try (NDManager scope = network.manager().newSubManager()) {
            NDArray z = module.run(EMBED, network.input(scope, probe.samples()), false);
            Shape s = z.getShape();
            featureShape = new int[s.dimension() - 1];
            for (int i = 0; i < featureShape.length; i++) {
                featureShape[i] = Math.toIntExact(s.get(i + 1));
            }
            features = z.toFloatArray();
        }
        SampleSet embedded = withFeatures(probe, features, featureShape);
        List<Integer> classifyTensors = tensorsReached(network, embedded, featureShape);
        for (int t = 0; t < network.layout().size(); t++) {
            if (subset.isSelected(t) && !classifyTensors.contains(t)) {
                return Optional.empty(); // an unlearned tensor lies in embed: it is not a fixed function
            }
        }
        int[] headTensors = classifyTensors.stream().mapToInt(Integer::intValue).toArray();
        Network classify = Network.torchScriptMethod(network, CLASSIFY, classifyTensors, featureShape);
        if (maxDifference(network.probabilities(probe), classify.probabilities(embedded)) > SAME) {
            return Optional.empty(); // forward(x) != classify(embed(x)): the split would change the model
        }
        Network dense = rebuildDenseHead ? denseHead(network, classifyTensors, featureShape) : null;
        if (dense != null) {
            FrozenPrefix split = new FrozenPrefix(network, featureShape, dense, headTensors, false);
            if (maxDifference(dense.probabilities(embedded), classify.probabilities(embedded)) <= SAME) {
                classify.close();
                return Optional.of(split);
            }
            split.close();
        }
        return Optional.of(new FrozenPrefix(network, featureShape, classify, headTensors, true));
    }

    /**
     * Linear layers with ReLU between them, as a built-in head, when the tensors' shapes chain
     * (weight (out, in) then bias (out), each layer's in the previous layer's out); else null.
     */
    private static Network denseHead(Network network, List<Integer> tensors, int[] featureShape) {
        if (featureShape.length != 1 || tensors.isEmpty() || tensors.size() % 2 != 0) {
            return null;
        }
        List<Pair<String, NDArray>> all = network.torchScript().parameters();
        List<Layer> layers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        long in = featureShape[0];
        for (int i = 0; i < tensors.size(); i += 2) {
            Shape w = all.get(tensors.get(i)).getValue().getShape();
            Shape b = all.get(tensors.get(i + 1)).getValue().getShape();
            if (w.dimension() != 2 || b.dimension() != 1 || w.get(1) != in || b.get(0) != w.get(0)) {
                return null;
            }
            if (!layers.isEmpty()) {
                layers.add(new Layer.Relu());
            }
            layers.add(new Layer.Dense(Math.toIntExact(w.get(0))));
            names.add(all.get(tensors.get(i)).getKey());
            names.add(all.get(tensors.get(i + 1)).getKey());
            in = w.get(0);
        }
        if (in != network.numClasses()) {
            return null;
        }
        return Network.head(layers, featureShape, network.numClasses(), network.device(), names);
    }

    /** The module's tensors that {@code classify} reads: those its backward pass reaches. */
    private static List<Integer> tensorsReached(Network network, SampleSet embedded, int[] featureShape) {
        List<Pair<String, NDArray>> all = network.torchScript().parameters();
        for (Pair<String, NDArray> p : all) {
            try (NDArray g = p.getValue().getGradient()) {
                g.subi(g);
            }
        }
        try (NDManager scope = network.manager().newSubManager();
             GradientCollector collector = Engine.getEngine(Devices.ENGINE).newGradientCollector()) {
            NDArray z = scope.create(flat(embedded), batchShape(embedded.size(), featureShape));
            collector.backward(network.torchScript().run(CLASSIFY, z, true).sum());
        }
        List<Integer> reached = new ArrayList<>();
        for (int t = 0; t < all.size(); t++) {
            try (NDArray g = all.get(t).getValue().getGradient()) {
                if (g.abs().sum().getFloat() > 0) {
                    reached.add(t);
                }
            }
        }
        return reached;
    }

    private static SampleSet probe(Network network) {
        int width = 1;
        for (int d : network.inputShape()) {
            width *= d;
        }
        Random random = new Random(0x1e7e);
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < PROBE; i++) {
            float[] x = new float[width];
            for (int j = 0; j < width; j++) {
                x[j] = random.nextFloat();
            }
            samples.add(new Sample("probe-" + i, "probe", i % network.numClasses(), x));
        }
        return new SampleSet(samples, network.inputShape(), network.numClasses());
    }

    private static SampleSet withFeatures(SampleSet samples, float[] features, int[] shape) {
        int width = features.length / samples.size();
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            out.add(new Sample(s.sampleId(), s.subjectId(), s.label(),
                    java.util.Arrays.copyOfRange(features, i * width, (i + 1) * width)));
        }
        return new SampleSet(out, shape, samples.numClasses());
    }

    private static float[] flat(SampleSet samples) {
        int width = samples.get(0).features().length;
        float[] out = new float[samples.size() * width];
        for (int i = 0; i < samples.size(); i++) {
            System.arraycopy(samples.get(i).features(), 0, out, i * width, width);
        }
        return out;
    }

    private static Shape batchShape(int n, int[] shape) {
        long[] dims = new long[shape.length + 1];
        dims[0] = n;
        for (int i = 0; i < shape.length; i++) {
            dims[i + 1] = shape[i];
        }
        return new Shape(dims);
    }

    private static double maxDifference(float[][] a, float[][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int c = 0; c < a[i].length; c++) {
                max = Math.max(max, Math.abs(a[i][c] - b[i][c]));
            }
        }
        return max;
    }
}
