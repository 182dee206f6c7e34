package dev.lethe.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;

/**
 * One layer of a {@link Layer} spec applied to a batch with given weights, outside any DJL block:
 * what {@link ReplicatedForward} runs for layers that need no per-sample treatment and
 * {@link FrozenPrefix} runs for the layers it freezes. Same operations as the block
 * {@link Architecture#build} makes: convolutions with stride 1 and no padding, pooling windows
 * equal to their stride.
 */
final class LayerOps {

    private LayerOps() {
    }

    /** A convolution or dense layer with the given weight and bias. */
    static NDArray weighted(Layer layer, NDArray h, NDArray weight, NDArray bias) {
        if (layer instanceof Layer.Conv) {
            return Conv2d.conv2d(h, weight, bias, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1)
                    .singletonOrThrow();
        }
        if (layer instanceof Layer.Dense) {
            return Linear.linear(h, weight, bias).singletonOrThrow();
        }
        throw new IllegalArgumentException(layer + " has no weights");
    }

    /** ReLU, max pooling or flattening (B, C, H, W) → (B, C·H·W). */
    static NDArray unweighted(Layer layer, NDArray h) {
        if (layer instanceof Layer.Relu) {
            return Activation.relu(h);
        }
        if (layer instanceof Layer.MaxPool p) {
            return Pool.maxPool2d(h, new Shape(p.size(), p.size()), new Shape(p.size(), p.size()),
                    new Shape(0, 0), false);
        }
        if (layer instanceof Layer.Flatten) {
            return h.reshape(h.getShape().get(0), -1);
        }
        throw new IllegalArgumentException("no forward for " + layer);
    }

    static boolean hasWeights(Layer layer) {
        return layer instanceof Layer.Conv || layer instanceof Layer.Dense;
    }
}
