package dev.lethe.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import dev.lethe.core.gradients.PerSampleGradients;
import dev.lethe.core.gradients.TensorGradients;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-sample gradients from one batched forward/backward pass.
 *
 * <ul>
 *   <li><b>Dense layers</b>: the weight stays shared; only the bias is replicated per sample, so
 *       the gradient of sample b's bias copy is δ_b, the gradient at the layer's output. Sample b's
 *       weight gradient is the outer product δ_b ⊗ a_b with the layer's input a_b, kept as its
 *       two factors ({@link #gradients}): the engine never holds a B×P tensor for these layers.</li>
 *   <li><b>Convolutions</b>: replicated weights: every sample gets its own copy W_b, and the
 *       layer runs as one grouped convolution with B groups; sample b's loss depends only on its
 *       own copy, so the gradient of W_b is ∇ℓ_b.</li>
 * </ul>
 *
 * <p>Covers {@link Layer.Conv}, {@link Layer.Dense}, {@link Layer.Relu}, {@link Layer.MaxPool} and
 * {@link Layer.Flatten}, the layers every {@link Network} is built from. Layers without a
 * selected tensor run with the shared weights, detached, so the backward pass computes nothing for
 * them and stops at the first selected layer.
 */
final class ReplicatedForward {

    private final List<Layer> layers;
    private final List<NDArray> weights;

    /** What a dense layer leaves for {@link #gradients}: its input and its replicated bias. */
    private record DenseCapture(int weightTensor, NDArray input, NDArray biasCopies, int in, int out) {
    }

    private final List<DenseCapture> dense = new ArrayList<>();
    private NDArray[] leaves;

    ReplicatedForward(List<Layer> layers, List<NDArray> weights) {
        this.layers = layers;
        this.weights = weights;
    }

    /**
     * Logits (B, classes). Call the backward pass on a loss that sums the samples' losses, then
     * {@link #gradients}.
     *
     * @param selected which tensors (by index in the layout) need per-sample gradients
     */
    NDArray forward(NDManager scope, NDArray x, boolean[] selected) {
        leaves = new NDArray[weights.size()];
        dense.clear();
        int b = Math.toIntExact(x.getShape().get(0));
        NDArray h = x;
        int next = 0;
        for (Layer layer : layers) {
            if (!LayerOps.hasWeights(layer)) {
                h = LayerOps.unweighted(layer, h);
                continue;
            }
            if (!(selected[next] || selected[next + 1])) {
                NDArray w = shared(scope, weights.get(next++));
                h = LayerOps.weighted(layer, h, w, shared(scope, weights.get(next++)));
                continue;
            }
            if (layer instanceof Layer.Conv) {
                NDArray w = replicate(scope, weights.get(next), b, next++);
                NDArray bias = replicate(scope, weights.get(next), b, next++);
                Shape s = h.getShape();
                NDArray grouped = h.reshape(1, b * s.get(1), s.get(2), s.get(3));
                long filters = w.getShape().get(1);
                NDArray kernels = w.reshape(new Shape(b * filters).addAll(w.getShape().slice(2)));
                NDArray out = Conv2d.conv2d(grouped, kernels, bias.reshape(b * filters), new Shape(1, 1),
                        new Shape(0, 0), new Shape(1, 1), b).singletonOrThrow();
                Shape o = out.getShape();
                h = out.reshape(b, filters, o.get(2), o.get(3));
            } else if (layer instanceof Layer.Dense) {
                int weightTensor = next++;
                NDArray w = shared(scope, weights.get(weightTensor));
                NDArray biasCopies = replicate(scope, weights.get(next), b, next++);
                Shape ws = w.getShape();
                dense.add(new DenseCapture(weightTensor, h, biasCopies, Math.toIntExact(ws.get(1)),
                        Math.toIntExact(ws.get(0))));
                h = Linear.linear(h, w, null).singletonOrThrow().add(biasCopies);
            }
        }
        return h;
    }

    /**
     * After the backward pass: the selected tensors' per-sample gradients in layout order. A dense
     * layer's weight gradients stay as their factors δ_b ⊗ a_b (the engine never holds, and the JVM
     * never writes, a B×in·out matrix for them); every other tensor's come as rows copied from its
     * replicated leaf.
     */
    PerSampleGradients gradients(boolean[] selected, int[] sizes, int b) {
        List<TensorGradients> parts = new ArrayList<>();
        for (int t = 0; t < leaves.length; t++) {
            if (!selected[t]) {
                continue;
            }
            DenseCapture d = denseWithWeight(t);
            if (d != null) {
                float[] delta;
                try (NDArray gradient = d.biasCopies().getGradient()) {
                    delta = gradient.toFloatArray();
                }
                parts.add(new TensorGradients.OuterProducts(delta, d.input().toFloatArray(), b, d.out(), d.in()));
                continue;
            }
            float[] g;
            try (NDArray gradient = leaves[t].getGradient()) {
                g = gradient.toFloatArray();
            }
            float[][] rows = new float[b][];
            for (int s = 0; s < b; s++) {
                rows[s] = java.util.Arrays.copyOfRange(g, s * sizes[t], (s + 1) * sizes[t]);
            }
            parts.add(new TensorGradients.Rows(rows, 0, sizes[t]));
        }
        return new PerSampleGradients(parts);
    }

    private DenseCapture denseWithWeight(int tensor) {
        for (DenseCapture d : dense) {
            if (d.weightTensor() == tensor) {
                return d;
            }
        }
        return null;
    }

    /**
     * A leaf tensor (B, …) holding B copies of {@code w}, detached from the model's weight. The
     * copies belong to {@code scope}: created from the weight directly they would belong to the
     * model's manager and live (B×P floats a step) until the model is closed.
     */
    private NDArray replicate(NDManager scope, NDArray w, int b, int index) {
        NDArray copies = shared(scope, w).expandDims(0).repeat(0, b);
        copies.setRequiresGradient(true);
        leaves[index] = copies;
        return copies;
    }

    /** The weight itself, detached from autograd and owned by {@code scope}. */
    private static NDArray shared(NDManager scope, NDArray w) {
        NDArray detached = w.stopGradient();
        detached.attach(scope);
        return detached;
    }
}
