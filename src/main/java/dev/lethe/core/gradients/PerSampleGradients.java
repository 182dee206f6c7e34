package dev.lethe.core.gradients;

import java.util.List;

/**
 * The per-sample gradients of a batch over a run of parameter tensors, one {@link TensorGradients}
 * per tensor in layout order: the rows of the B×P matrix without necessarily storing them.
 */
public final class PerSampleGradients {

    private final List<TensorGradients> tensors;
    private final int count;
    private final int size;

    public PerSampleGradients(List<TensorGradients> tensors) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("at least one tensor is needed");
        }
        this.tensors = List.copyOf(tensors);
        this.count = tensors.get(0).count();
        int p = 0;
        for (TensorGradients t : tensors) {
            if (t.count() != count) {
                throw new IllegalArgumentException("tensors hold gradients of " + t.count() + " and " + count + " samples");
            }
            p += t.size();
        }
        this.size = p;
    }

    /** One {@link TensorGradients.Rows} per tensor of {@code sizes}, over full rows. */
    public static PerSampleGradients ofRows(float[][] rows, int[] sizes) {
        java.util.ArrayList<TensorGradients> parts = new java.util.ArrayList<>();
        int offset = 0;
        for (int s : sizes) {
            parts.add(new TensorGradients.Rows(rows, offset, s));
            offset += s;
        }
        return new PerSampleGradients(parts);
    }

    public List<TensorGradients> tensors() {
        return tensors;
    }

    /** B. */
    public int count() {
        return count;
    }

    /** P: the length of one gradient. */
    public int size() {
        return size;
    }

    /** (1/B)·Σ_b r_b. */
    public float[] mean() {
        float[] m = new float[size];
        int offset = 0;
        for (TensorGradients t : tensors) {
            t.addMean(m, offset);
            offset += t.size();
        }
        return m;
    }

    /** The B×P matrix itself, written into {@code reuse} when it has that shape. */
    public float[][] rows(float[][] reuse) {
        float[][] rows = reuse != null && reuse.length == count && (count == 0 || reuse[0].length == size)
                ? reuse : new float[count][size];
        for (int b = 0; b < count; b++) {
            int offset = 0;
            for (TensorGradients t : tensors) {
                t.copyRow(b, rows[b], offset);
                offset += t.size();
            }
        }
        return rows;
    }
}
