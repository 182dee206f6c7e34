package dev.lethe.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;

import java.util.List;

/**
 * Per-sample gradients from one batched forward/backward pass, by replicated weights: every
 * sample b gets its own copy W_b of each weight, convolutions run as one grouped convolution
 * with B groups and dense layers as one batched matrix product. Sample b's loss depends only on
 * its own copies, so ∂(Σ_b ℓ_b)/∂W_b = ∇ℓ_b: the gradients of the copies are the B×P matrix.
 *
 * <p>Covers {@link Layer.Conv}, {@link Layer.Dense}, {@link Layer.Relu}, {@link Layer.MaxPool} and
 * {@link Layer.Flatten}; other models fall back to one backward pass per sample.
 */
final class ReplicatedForward {

    private final List<Layer> layers;
    private final List<NDArray> weights;

    ReplicatedForward(List<Layer> layers, List<NDArray> weights) {
        this.layers = layers;
        this.weights = weights;
    }

    /** Logits (B, classes); each replicated weight copy is added to {@code leaves}, in layout order. */
    NDArray forward(NDManager scope, NDArray x, List<NDArray> leaves) {
        int b = Math.toIntExact(x.getShape().get(0));
        NDArray h = x;
        int next = 0;
        for (Layer layer : layers) {
            if (layer instanceof Layer.Conv) {
                NDArray w = replicate(scope, weights.get(next++), b, leaves);
                NDArray bias = replicate(scope, weights.get(next++), b, leaves);
                Shape s = h.getShape();
                NDArray grouped = h.reshape(1, b * s.get(1), s.get(2), s.get(3));
                long filters = w.getShape().get(1);
                NDArray kernels = w.reshape(new Shape(b * filters).addAll(w.getShape().slice(2)));
                NDArray out = Conv2d.conv2d(grouped, kernels, bias.reshape(b * filters), new Shape(1, 1),
                        new Shape(0, 0), new Shape(1, 1), b).singletonOrThrow();
                Shape o = out.getShape();
                h = out.reshape(b, filters, o.get(2), o.get(3));
            } else if (layer instanceof Layer.Dense) {
                NDArray w = replicate(scope, weights.get(next++), b, leaves);
                NDArray bias = replicate(scope, weights.get(next++), b, leaves);
                long in = h.getShape().get(1);
                h = w.batchMatMul(h.reshape(b, in, 1)).reshape(b, w.getShape().get(1)).add(bias);
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
     * A leaf tensor (B, …) holding B copies of {@code w}, detached from the model's weight. The
     * copies belong to {@code scope}: created from the weight directly they would belong to the
     * model's manager and live (B×P floats a step) until the model is closed.
     */
    private static NDArray replicate(NDManager scope, NDArray w, int b, List<NDArray> leaves) {
        NDArray detached = w.stopGradient();
        detached.attach(scope);
        NDArray copies = detached.expandDims(0).repeat(0, b);
        copies.setRequiresGradient(true);
        leaves.add(copies);
        return copies;
    }
}
