package dev.lethe.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.gradients.PerSampleGradients;

import java.util.Arrays;
import java.util.List;

/**
 * Per-sample gradients ∇θ ℓ_i of a {@link Network}: one batched pass over replicated weights
 * ({@link ReplicatedForward}) for a built-in architecture, or one single-sample backward pass per
 * sample, the reference, exact for any model (a TorchScript module's graph is opaque).
 */
final class PerSampleGradientPasses {

    private PerSampleGradientPasses() {
    }

    /** See {@link Network#perSampleGradientParts}. */
    static PerSampleGradients parts(Network network, SampleSet batch, ParameterSubset subset) {
        checkSubset(network, subset);
        List<Layer> layers = network.layerSpec();
        if (layers == null) {
            float[][] rows = byLoop(network, batch, subset);
            int[] sizes = subset.compactLayout().stream().mapToInt(Network.ParameterSlice::size).toArray();
            return PerSampleGradients.ofRows(rows, sizes);
        }
        FlatParameters flat = network.flat();
        List<Network.ParameterSlice> layout = flat.layout();
        boolean[] selected = new boolean[layout.size()];
        int[] sizes = new int[layout.size()];
        for (int t = 0; t < selected.length; t++) {
            selected[t] = subset.isSelected(t);
            sizes[t] = layout.get(t).size();
        }
        try (NDManager scope = network.manager().newSubManager();
             GradientCollector collector = Engine.getEngine(Devices.ENGINE).newGradientCollector()) {
            ReplicatedForward pass = new ReplicatedForward(layers, flat.tensors());
            NDArray logits = pass.forward(scope, network.input(scope, batch.samples()), selected);
            double[] ones = new double[batch.size()];
            Arrays.fill(ones, 1.0);
            collector.backward(LossPasses.crossEntropy(network, scope, logits, batch.samples(), ones));
            return pass.gradients(selected, sizes, batch.size());
        }
    }

    /** See {@link Network#perSampleGradientsByLoop(SampleSet, ParameterSubset)}. */
    static float[][] byLoop(Network network, SampleSet batch, ParameterSubset subset) {
        checkSubset(network, subset);
        float[][] rows = byLoop(network, batch);
        if (subset.isAll()) {
            return rows;
        }
        for (int i = 0; i < rows.length; i++) {
            rows[i] = subset.gather(rows[i]);
        }
        return rows;
    }

    /** See {@link Network#perSampleGradientsByLoop(SampleSet)}. */
    static float[][] byLoop(Network network, SampleSet batch) {
        FlatParameters flat = network.flat();
        float[][] rows = new float[batch.size()][];
        double[] one = {1.0};
        try (GradientCollector collector = Engine.getEngine(Devices.ENGINE).newGradientCollector()) {
            for (int i = 0; i < batch.size(); i++) {
                try (NDManager scope = network.manager().newSubManager()) {
                    flat.zeroGradients();
                    NDArray loss = LossPasses.weightedLoss(network, scope, List.of(batch.get(i)), one);
                    collector.backward(loss);
                    rows[i] = flat.gradients();
                }
            }
        }
        return rows;
    }

    private static void checkSubset(Network network, ParameterSubset subset) {
        if (subset.fullSize() != network.parameterCount()) {
            throw new IllegalArgumentException("subset is of a model with " + subset.fullSize()
                    + " parameters, this one has " + network.parameterCount());
        }
    }
}
