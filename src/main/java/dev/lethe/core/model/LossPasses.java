package dev.lethe.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The batched passes behind {@link Network}'s public methods: predictions without gradients, and
 * one forward/backward pass for a weighted cross-entropy or a soft-target loss. Each pass opens its
 * own sub-manager, so nothing it creates outlives it.
 */
final class LossPasses {

    /** Evaluation runs in chunks so that a large set never needs one huge tensor. */
    private static final int EVAL_CHUNK = 1000;

    private LossPasses() {
    }

    /** See {@link Network#predict(SampleSet, float[][])}. */
    static Predictions predict(Network network, SampleSet samples, float[][] probabilities) {
        int n = samples.size();
        int classes = network.numClasses();
        if (probabilities != null && probabilities.length != n) {
            throw new IllegalArgumentException("one probability row per sample needed");
        }
        double[] losses = new double[n];
        boolean[] correct = new boolean[n];
        for (int start = 0; start < n; start += EVAL_CHUNK) {
            int end = Math.min(n, start + EVAL_CHUNK);
            try (NDManager scope = network.manager().newSubManager()) {
                NDArray logits = network.forward(scope, samples.samples().subList(start, end), false);
                Predictions chunk = Predictions.fromLogits(logits.toFloatArray(), classes, samples, start, end);
                System.arraycopy(chunk.losses(), 0, losses, start, end - start);
                System.arraycopy(chunk.correct(), 0, correct, start, end - start);
                if (probabilities != null) {
                    float[] p = logits.softmax(1).toFloatArray();
                    for (int i = start; i < end; i++) {
                        probabilities[i] = Arrays.copyOfRange(p, (i - start) * classes, (i - start + 1) * classes);
                    }
                }
            }
        }
        return new Predictions(losses, correct);
    }

    /** See {@link Network#predictThenGradient}. */
    static Network.PassResult predictThenGradient(Network network, SampleSet samples,
                                                  Function<Predictions, double[]> weighting) {
        try (NDManager scope = network.manager().newSubManager();
             GradientCollector collector = Engine.getEngine(Devices.ENGINE).newGradientCollector()) {
            NDArray logits = network.forward(scope, samples.samples(), true);
            Predictions predictions = Predictions.fromLogits(logits.toFloatArray(), network.numClasses(), samples, 0,
                    samples.size());
            double[] weights = weighting.apply(predictions);
            if (weights == null) {
                return new Network.PassResult(predictions, null);
            }
            network.flat().zeroGradients();
            collector.backward(crossEntropy(network, scope, logits, samples.samples(), weights));
            return new Network.PassResult(predictions, network.flat().gradients());
        }
    }

    /** See {@link Network#weightedGradientAndLoss}. */
    static NetworkGradient weightedGradientAndLoss(Network network, SampleSet batch, double[] sampleWeights) {
        if (sampleWeights.length != batch.size()) {
            throw new IllegalArgumentException("one weight per sample needed");
        }
        try (NDManager scope = network.manager().newSubManager();
             GradientCollector collector = Engine.getEngine(Devices.ENGINE).newGradientCollector()) {
            network.flat().zeroGradients();
            NDArray loss = weightedLoss(network, scope, batch.samples(), sampleWeights);
            collector.backward(loss);
            return new NetworkGradient(network.flat().gradients(), loss.getFloat());
        }
    }

    /** See {@link Network#softTargetPass}. */
    static Network.PassResult softTargetPass(Network network, SampleSet batch, float[][] targets) {
        int classes = network.numClasses();
        if (targets.length != batch.size()) {
            throw new IllegalArgumentException("one target row per sample needed");
        }
        float[] negatedMeanTargets = new float[batch.size() * classes];
        for (int i = 0; i < targets.length; i++) {
            if (targets[i].length != classes) {
                throw new IllegalArgumentException("target rows need " + classes + " classes");
            }
            for (int c = 0; c < classes; c++) {
                negatedMeanTargets[i * classes + c] = -targets[i][c] / batch.size();
            }
        }
        try (NDManager scope = network.manager().newSubManager();
             GradientCollector collector = Engine.getEngine(Devices.ENGINE).newGradientCollector()) {
            network.flat().zeroGradients();
            NDArray logits = network.forward(scope, batch.samples(), true);
            Predictions predictions = Predictions.fromLogits(logits.toFloatArray(), classes, batch, 0, batch.size());
            NDArray logProbs = logits.logSoftmax(1);
            collector.backward(logProbs.mul(scope.create(negatedMeanTargets, new Shape(batch.size(), classes))).sum());
            return new Network.PassResult(predictions, network.flat().gradients());
        }
    }

    /** Σ_i w_i·CE over a fresh forward pass of {@code samples}, recorded for the backward pass. */
    static NDArray weightedLoss(Network network, NDManager scope, List<Sample> samples, double[] sampleWeights) {
        return crossEntropy(network, scope, network.forward(scope, samples, true), samples, sampleWeights);
    }

    /** Σ_i w_i·CE(logits_i, label_i) as a scalar tensor. */
    static NDArray crossEntropy(Network network, NDManager scope, NDArray logits, List<Sample> samples,
                                double[] sampleWeights) {
        int classes = network.numClasses();
        NDArray logProbs = logits.logSoftmax(1);
        float[] targets = new float[samples.size() * classes];
        for (int i = 0; i < samples.size(); i++) {
            targets[i * classes + samples.get(i).label()] = (float) -sampleWeights[i];
        }
        NDArray weightedOneHot = scope.create(targets, new Shape(samples.size(), classes));
        return logProbs.mul(weightedOneHot).sum();
    }
}
