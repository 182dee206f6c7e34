package dev.lethe.core.model;

/**
 * How the original model and the retrain oracle are trained: Adam on shuffled mini-batches, the
 * learning rate decaying along a cosine from {@code learningRate} to zero over {@code maxEpochs},
 * stopping early once the mean training loss of an epoch falls below {@code targetLoss}.
 * Training to a near-zero loss is deliberate: a model that memorises its training set is the
 * case where unlearning matters and where membership can be measured.
 */
public record TrainingRecipe(int maxEpochs, int batchSize, double learningRate, double targetLoss) {

    public TrainingRecipe {
        if (maxEpochs < 1 || batchSize < 1 || learningRate <= 0 || targetLoss < 0) {
            throw new IllegalArgumentException("invalid training recipe: " + maxEpochs + " epochs, batch "
                    + batchSize + ", lr " + learningRate + ", target loss " + targetLoss);
        }
    }

    /** The learning rate for a (0-based) step out of {@code totalSteps}. */
    public double learningRateAt(long step, long totalSteps) {
        return 0.5 * learningRate * (1 + Math.cos(Math.PI * Math.min(step, totalSteps) / totalSteps));
    }

    public static TrainingRecipe defaults() {
        return new TrainingRecipe(40, 32, 1e-3, 1e-4);
    }
}
