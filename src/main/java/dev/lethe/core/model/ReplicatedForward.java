package dev.lethe.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-sample gradients from one batched forward/backward pass.
 *
 * <ul>
 *   <li><b>Dense layers</b>: the weight stays shared; only the bias is replicated per sample, so
 *       the gradient of sample b's bias copy is δ_b, the gradient at the layer's output. Sample b's
 *       weight gradient is the outer product δ_b ⊗ a_b with the layer's input a_b, formed on the
 *       JVM straight into the result rows ({@link #fillRows}): the engine never holds a B×P
 *       tensor for these layers.</li>
 *   <li><b>Convolutions</b>: replicated weights: every sample gets its own copy W_b, and the
 *       layer runs as one grouped convolution with B groups; sample b's loss depends only on its
 *       own copy, so the gradient of W_b is ∇ℓ_b.</li>
 * </ul>
 *
 * <p>Covers {@link Layer.Conv}, {@link Layer.Dense}, {@link Layer.Relu}, {@link Layer.MaxPool} and
 * {@link Layer.Flatten}; other models fall back to one backward pass per sample. Layers without a
 * selected tensor run with the shared weights, detached, so the backward pass computes nothing for
 * them and stops at the first selected layer.
 */
final class ReplicatedForward {

    private final List<Layer> layers;
    private final List<NDArray> weights;

    /** What a dense layer leaves for {@link #fillRows}: its input and its replicated bias. */
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
     * {@link #fillRows}.
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
            boolean weighted = layer instanceof Layer.Conv || layer instanceof Layer.Dense;
            if (weighted && !(selected[next] || selected[next + 1])) {
                NDArray w = shared(scope, weights.get(next++));
                NDArray bias = shared(scope, weights.get(next++));
                if (layer instanceof Layer.Conv) {
                    h = Conv2d.conv2d(h, w, bias, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1)
                            .singletonOrThrow();
                } else {
                    h = Linear.linear(h, w, bias).singletonOrThrow();
                }
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
            } else if (layer instanceof Layer.Relu) {
                h = Activation.relu(h);
            } else if (layer instanceof Layer.MaxPool p) {
                h = Pool.maxPool2d(h, new Shape(p.size(), p.size()), new Shape(p.size(), p.size()),
                        new Shape(0, 0), false);
            } else if (layer instanceof Layer.Flatten) {
                h = h.reshape(b, -1);
            } else {
                throw new IllegalStateException("no replicated forward for " + layer);
            }
        }
        return h;
    }

    /**
     * After the backward pass: writes each selected tensor's per-sample gradients into
     * {@code rows[b]} at {@code offsets[t]} (offsets of unselected tensors are ignored).
     */
    void fillRows(float[][] rows, boolean[] selected, int[] offsets, int[] sizes) {
        int b = rows.length;
        for (int t = 0; t < leaves.length; t++) {
            if (!selected[t] || leaves[t] == null) {
                continue;
            }
            try (NDArray gradient = leaves[t].getGradient()) {
                float[] g = gradient.toFloatArray();
                for (int s = 0; s < b; s++) {
                    System.arraycopy(g, s * sizes[t], rows[s], offsets[t], sizes[t]);
                }
            }
        }
        for (DenseCapture d : dense) {
            if (!selected[d.weightTensor()]) {
                continue;
            }
            float[] a = d.input().toFloatArray();
            float[] delta;
            try (NDArray gradient = d.biasCopies().getGradient()) {
                delta = gradient.toFloatArray();
            }
            int offset = offsets[d.weightTensor()];
            int in = d.in();
            int out = d.out();
            // One thread: splitting the batch over two cores measured slower on the shared 2-core
            // machine (the write is memory-bound and PyTorch's thread competes for the cores).
            for (int s = 0; s < b; s++) {
                float[] row = rows[s];
                int as = s * in;
                int ds = s * out;
                for (int o = 0; o < out; o++) {
                    float dv = delta[ds + o];
                    int base = offset + o * in;
                    for (int i = 0; i < in; i++) {
                        row[base + i] = dv * a[as + i];
                    }
                }
            }
        }
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
