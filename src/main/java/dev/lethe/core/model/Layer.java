package dev.lethe.core.model;

/**
 * The layers the built-in architectures are made of. Describing a model as data lets one spec
 * build both the DJL block and the replicated-weights forward pass that yields per-sample
 * gradients in one batched pass ({@link ReplicatedForward}).
 */
public sealed interface Layer {

    /** 2-D convolution, stride 1, no padding; weight (filters, in, k, k) and bias (filters). */
    record Conv(int filters, int kernel) implements Layer {
    }

    /** Fully connected; weight (units, in) and bias (units). */
    record Dense(int units) implements Layer {
    }

    record Relu() implements Layer {
    }

    /** Max pooling with window and stride {@code size}. */
    record MaxPool(int size) implements Layer {
    }

    /** (B, C, H, W) → (B, C·H·W). */
    record Flatten() implements Layer {
    }
}
