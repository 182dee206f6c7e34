package dev.lethe.core.model;

import dev.lethe.core.data.SampleSet;

/** Per-sample losses and correctness of a model on a set of samples. */
public record Predictions(double[] losses, boolean[] correct) {

    /**
     * Cross-entropy and argmax of samples {@code start … end} of {@code samples}, from their logits
     * ({@code numClasses} per sample, row-major, starting with sample {@code start}), computed in
     * float64 on the JVM.
     */
    static Predictions fromLogits(float[] z, int numClasses, SampleSet samples, int start, int end) {
        double[] losses = new double[end - start];
        boolean[] correct = new boolean[end - start];
        for (int i = start; i < end; i++) {
            int row = (i - start) * numClasses;
            int label = samples.get(i).label();
            double max = Double.NEGATIVE_INFINITY;
            int argMax = 0;
            for (int c = 0; c < numClasses; c++) {
                if (z[row + c] > max) {
                    max = z[row + c];
                    argMax = c;
                }
            }
            double sumExp = 0;
            for (int c = 0; c < numClasses; c++) {
                sumExp += Math.exp(z[row + c] - max);
            }
            losses[i - start] = Math.log(sumExp) + max - z[row + label];
            correct[i - start] = argMax == label;
        }
        return new Predictions(losses, correct);
    }

    public double accuracy() {
        if (correct.length == 0) {
            return Double.NaN;
        }
        int n = 0;
        for (boolean c : correct) {
            n += c ? 1 : 0;
        }
        return (double) n / correct.length;
    }

    public double meanLoss() {
        double s = 0;
        for (double l : losses) {
            s += l;
        }
        return losses.length == 0 ? Double.NaN : s / losses.length;
    }
}
