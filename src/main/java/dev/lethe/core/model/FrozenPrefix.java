package dev.lethe.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The layers in front of the first unlearned one, run once per sample instead of every step.
 *
 * <p>When unlearning changes only a model's last layers (a {@link ParameterSubset}), everything
 * before them is a fixed function during the run. Each sample's activations at the split are
 * computed once ({@link #features}); the steps then run on the {@link #head()}, a network of the
 * remaining layers that takes those activations as its input, and {@link #writeBack()} copies
 * the head's weights into the full model. The numbers are the full model's; the work per step
 * shrinks to the head's (for the default CNN the convolutions are almost all of a forward pass).
 *
 * <p>The head names its tensors as the full model does, so the same parameter pattern selects
 * the same tensors in both.
 */
public final class FrozenPrefix implements AutoCloseable {

    /** Samples per forward pass when computing features. */
    private static final int CHUNK = 1000;

    private final Network network;
    /** The built-in layers in front of the split, or null where a TorchScript {@code embed} runs them. */
    private final List<Layer> prefix;
    private final int prefixTensors;
    private final int[] featureShape;
    private final Network head;
    /** The full model's tensor index of each head tensor. */
    private final int[] headTensors;
    /** Whether the head shares the full model's tensors, so {@link #writeBack()} has nothing to copy. */
    private final boolean sharesTensors;

    private FrozenPrefix(Network network, int splitLayer, int prefixTensors) {
        this.network = network;
        List<Layer> layers = network.layerSpec();
        this.prefix = List.copyOf(layers.subList(0, splitLayer));
        this.prefixTensors = prefixTensors;
        List<Network.ParameterSlice> layout = network.layout();
        this.featureShape = featureShape(network, prefix);
        List<String> names = layout.subList(prefixTensors, layout.size()).stream()
                .map(Network.ParameterSlice::name).toList();
        this.head = Network.head(List.copyOf(layers.subList(splitLayer, layers.size())), featureShape,
                network.numClasses(), network.device(), names);
        this.headTensors = java.util.stream.IntStream.range(prefixTensors, layout.size()).toArray();
        this.sharesTensors = false;
        copyIntoHead();
    }

    /** A TorchScript module's split: {@code embed} is the prefix, {@code head} runs {@code classify}. */
    FrozenPrefix(Network network, int[] featureShape, Network head, int[] headTensors, boolean sharesTensors) {
        this.network = network;
        this.prefix = null;
        this.prefixTensors = -1;
        this.featureShape = featureShape.clone();
        this.head = head;
        this.headTensors = headTensors.clone();
        this.sharesTensors = sharesTensors;
        if (!sharesTensors) {
            copyIntoHead();
        }
    }

    private void copyIntoHead() {
        float[] theta = network.parameters();
        List<Network.ParameterSlice> full = network.layout();
        List<Network.ParameterSlice> own = head.layout();
        float[] h = new float[head.parameterCount()];
        for (int i = 0; i < headTensors.length; i++) {
            System.arraycopy(theta, full.get(headTensors[i]).offset(), h, own.get(i).offset(), own.get(i).size());
        }
        head.setParameters(h);
    }

    /**
     * The prefix in front of the first layer holding a selected tensor, or empty when there is none
     * to freeze: the subset covers every tensor or starts at the first layer.
     */
    public static Optional<FrozenPrefix> of(Network network, ParameterSubset subset) {
        if (network.isTorchScript()) {
            return TorchScriptSplit.of(network, subset);
        }
        List<Layer> layers = network.layerSpec();
        if (subset.isAll()) {
            return Optional.empty();
        }
        int tensor = 0;
        for (int l = 0; l < layers.size(); l++) {
            if (LayerOps.hasWeights(layers.get(l))) {
                if (subset.isSelected(tensor) || subset.isSelected(tensor + 1)) {
                    return l == 0 ? Optional.empty() : Optional.of(new FrozenPrefix(network, l, tensor));
                }
                tensor += 2;
            }
        }
        return Optional.empty();
    }

    /** The network of the layers after the prefix, holding the full model's current weights. */
    public Network head() {
        return head;
    }

    /**
     * A network of the head's layers, freshly initialised from {@code seed} rather than holding the
     * model's weights: a reference model trained on the frozen features (the caller closes it).
     */
    public Network freshHead(long seed) {
        List<Layer> layers = head.layerSpec();
        if (layers == null) {
            // A TorchScript module's own classify is opaque: it cannot be re-initialised.
            throw new UnsupportedOperationException("the head is the module's own classify: it has no layer spec "
                    + "to build reference heads from");
        }
        return Network.head(layers, featureShape, network.numClasses(), network.device(),
                head.layout().stream().map(Network.ParameterSlice::name).toList(), seed);
    }

    /** Shape of one sample's activations at the split: the head's input shape. */
    public int[] featureShape() {
        return featureShape.clone();
    }

    /**
     * The samples as the head sees them: same ids, subjects and labels, features replaced by the
     * prefix's output.
     */
    public SampleSet features(SampleSet samples) {
        List<Sample> out = new ArrayList<>(samples.size());
        int width = 1;
        for (int d : featureShape) {
            width *= d;
        }
        for (int start = 0; start < samples.size(); start += CHUNK) {
            List<Sample> chunk = samples.samples().subList(start, Math.min(samples.size(), start + CHUNK));
            try (NDManager scope = network.manager().newSubManager()) {
                NDArray x = network.input(scope, chunk);
                float[] a = (prefix == null ? network.torchScript().run(TorchScriptSplit.EMBED, x, false)
                        : run(scope, x)).toFloatArray();
                for (int i = 0; i < chunk.size(); i++) {
                    Sample s = chunk.get(i);
                    out.add(new Sample(s.sampleId(), s.subjectId(), s.label(),
                            Arrays.copyOfRange(a, i * width, (i + 1) * width)));
                }
            }
        }
        return new SampleSet(out, featureShape, samples.numClasses());
    }

    /** θ_full ← (prefix weights, the head's current weights). */
    public void writeBack() {
        if (sharesTensors) {
            return;
        }
        float[] theta = network.parameters();
        float[] h = head.parameters();
        List<Network.ParameterSlice> full = network.layout();
        List<Network.ParameterSlice> own = head.layout();
        for (int i = 0; i < headTensors.length; i++) {
            System.arraycopy(h, own.get(i).offset(), theta, full.get(headTensors[i]).offset(), own.get(i).size());
        }
        network.setParameters(theta);
    }

    /** Whether the head is a built-in dense stack, whose per-sample gradients have the factored form. */
    public boolean headIsDense() {
        return !head.isTorchScript();
    }

    @Override
    public void close() {
        head.close();
    }

    private NDArray run(NDManager scope, NDArray x) {
        NDArray h = x;
        int t = 0;
        for (Layer layer : prefix) {
            if (LayerOps.hasWeights(layer)) {
                h = LayerOps.weighted(layer, h, detached(scope, t), detached(scope, t + 1));
                t += 2;
            } else {
                h = LayerOps.unweighted(layer, h);
            }
        }
        if (t != prefixTensors) {
            throw new IllegalStateException("prefix holds " + t + " tensors, layout says " + prefixTensors);
        }
        return h;
    }

    /** Tensor t of the full model, outside autograd and owned by {@code scope}. */
    private NDArray detached(NDManager scope, int t) {
        NDArray w = network.weight(t).stopGradient();
        w.attach(scope);
        return w;
    }

    private int[] featureShape(Network network, List<Layer> prefix) {
        int[] in = network.inputShape();
        float[] zeros = new float[Arrays.stream(in).reduce(1, (a, b) -> a * b)];
        try (NDManager scope = network.manager().newSubManager()) {
            long[] dims = new long[in.length + 1];
            dims[0] = 1;
            for (int i = 0; i < in.length; i++) {
                dims[i + 1] = in[i];
            }
            Shape out = run(scope, scope.create(zeros, new Shape(dims))).getShape();
            int[] shape = new int[out.dimension() - 1];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = Math.toIntExact(out.get(i + 1));
            }
            return shape;
        }
    }
}
