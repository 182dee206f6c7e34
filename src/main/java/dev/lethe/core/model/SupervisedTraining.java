package dev.lethe.core.model;

import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/** Plain supervised training of a {@link Network} by a {@link TrainingRecipe}. */
public final class SupervisedTraining {

    /** What training did: epochs run and the last epoch's mean loss. */
    public record Summary(int epochs, double finalLoss, double seconds) {
    }

    private SupervisedTraining() {
    }

    public static Summary train(Network network, SampleSet data, TrainingRecipe recipe, long seed,
                                Consumer<String> progress) {
        if (data.isEmpty()) {
            throw new IllegalArgumentException("cannot train on an empty set");
        }
        long start = System.nanoTime();
        Random random = new Random(seed);
        Adam adam = new Adam(network.parameterCount());
        List<Sample> order = new ArrayList<>(data.samples());
        double epochLoss = Double.NaN;
        int epoch = 0;
        long step = 0;
        long totalSteps = (long) recipe.maxEpochs() * ((order.size() + recipe.batchSize() - 1) / recipe.batchSize());
        while (epoch < recipe.maxEpochs()) {
            epoch++;
            Collections.shuffle(order, random);
            double lossSum = 0;
            for (int from = 0; from < order.size(); from += recipe.batchSize()) {
                SampleSet batch = data.with(order.subList(from, Math.min(order.size(), from + recipe.batchSize())));
                double[] weights = new double[batch.size()];
                java.util.Arrays.fill(weights, 1.0 / batch.size());
                NetworkGradient g = network.weightedGradientAndLoss(batch, weights);
                lossSum += g.loss() * batch.size();
                network.step(adam.direction(g.gradient()), recipe.learningRateAt(step++, totalSteps));
            }
            epochLoss = lossSum / order.size();
            if (progress != null) {
                progress.accept(String.format("epoch %d: mean loss %.4f", epoch, epochLoss));
            }
            if (epochLoss < recipe.targetLoss()) {
                break;
            }
        }
        return new Summary(epoch, epochLoss, (System.nanoTime() - start) / 1e9);
    }
}
