package dev.lethe.core.model;

/**
 * How the original model and the retrain oracle are trained: Adam on shuffled mini-batches until
 * the mean training loss of an epoch falls below {@code targetLoss} or {@code maxEpochs} pass.
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

    public static TrainingRecipe defaults() {
        return new TrainingRecipe(60, 32, 1e-3, 0.002);
    }
}
