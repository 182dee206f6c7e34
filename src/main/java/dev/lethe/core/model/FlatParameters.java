package dev.lethe.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.util.Pair;

import java.util.ArrayList;
import java.util.List;

/**
 * A network's trainable tensors seen as one flat vector θ: the only place that moves numbers
 * between the engine's tensors (and their gradients) and plain Java arrays. The flat order is the
 * order of the tensors given, described by {@link #layout()}.
 */
final class FlatParameters {

    private final List<NDArray> weights = new ArrayList<>();
    private final List<Network.ParameterSlice> layout = new ArrayList<>();
    private final int count;

    /** Marks each tensor as trainable and lays them out one after another, under the names given. */
    FlatParameters(List<Pair<String, NDArray>> named) {
        int offset = 0;
        for (Pair<String, NDArray> p : named) {
            NDArray array = p.getValue();
            array.setRequiresGradient(true);
            int size = Math.toIntExact(array.size());
            weights.add(array);
            layout.add(new Network.ParameterSlice(p.getKey(), offset, size));
            offset += size;
        }
        this.count = offset;
    }

    int count() {
        return count;
    }

    List<Network.ParameterSlice> layout() {
        return List.copyOf(layout);
    }

    /** The tensors in layout order, as the engine holds them. */
    List<NDArray> tensors() {
        return weights;
    }

    NDArray tensor(int t) {
        return weights.get(t);
    }

    /** A copy of θ. */
    float[] read() {
        float[] flat = new float[count];
        for (int i = 0; i < weights.size(); i++) {
            float[] w = weights.get(i).toFloatArray();
            System.arraycopy(w, 0, flat, layout.get(i).offset(), w.length);
        }
        return flat;
    }

    /** θ ← values. */
    void write(float[] values) {
        checkLength(values);
        for (int i = 0; i < weights.size(); i++) {
            Network.ParameterSlice s = layout.get(i);
            float[] w = new float[s.size()];
            System.arraycopy(values, s.offset(), w, 0, s.size());
            weights.get(i).set(w);
        }
    }

    // getGradient() returns a new handle (a view) owned by the model's manager: close it after
    // use, or every step leaves handles behind until the model is closed.
    void zeroGradients() {
        for (NDArray w : weights) {
            try (NDArray g = w.getGradient()) {
                g.subi(g);
            }
        }
    }

    /** The gradients the last backward pass left on the tensors, as one flat vector. */
    float[] gradients() {
        float[] flat = new float[count];
        for (int i = 0; i < weights.size(); i++) {
            try (NDArray gradient = weights.get(i).getGradient()) {
                float[] g = gradient.toFloatArray();
                System.arraycopy(g, 0, flat, layout.get(i).offset(), g.length);
            }
        }
        return flat;
    }

    void checkLength(float[] v) {
        if (v.length != count) {
            throw new IllegalArgumentException("vector has " + v.length + " entries, model has "
                    + count + " parameters");
        }
    }
}
