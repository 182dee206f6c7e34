package dev.lethe.core.unlearn;

/**
 * Hyperparameters shared by the step-wise methods, so that every method runs under the same
 * budget and the same stop rule.
 *
 * @param maxSteps        step budget
 * @param learningRate    lr in θ ← θ − lr·(α·retain − (1−α)·forget)
 * @param alpha           weight of the retain term (methods without one ignore it)
 * @param retainBatchSize retain samples per step (B)
 * @param adam            normalise each term Adam-style before combining
 * @param objective       what the forget term pushes towards
 * @param stopRule        when to stop before the budget
 * @param anchor          λ ≥ 0: weight of the function anchor added to the retain gradient, the
 *                        gradient of the mean KL divergence from the original model's outputs on a
 *                        batch of reference (never-trained-on) images; 0 turns it off. Methods with
 *                        a retain term get it (all but gradient ascent).
 */
public record UnlearningSettings(int maxSteps, double learningRate, double alpha, int retainBatchSize,
                                 boolean adam, ForgetObjective objective, StopRule stopRule, double anchor) {

    public UnlearningSettings(int maxSteps, double learningRate, double alpha, int retainBatchSize,
                              boolean adam, ForgetObjective objective, StopRule stopRule) {
        this(maxSteps, learningRate, alpha, retainBatchSize, adam, objective, stopRule, 0);
    }

    public UnlearningSettings {
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be >= 1, was " + maxSteps);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be > 0, was " + learningRate);
        }
        if (alpha < 0 || alpha > 1) {
            throw new IllegalArgumentException("alpha must be in [0, 1], was " + alpha);
        }
        if (retainBatchSize < 1) {
            throw new IllegalArgumentException("retainBatchSize must be >= 1, was " + retainBatchSize);
        }
        if (!(anchor >= 0) || Double.isInfinite(anchor)) {
            throw new IllegalArgumentException("anchor must be a finite weight >= 0, was " + anchor);
        }
    }

    public static UnlearningSettings defaults() {
        return new UnlearningSettings(100, 1e-3, 0.5, 32, true, ForgetObjective.MATCH_LOG, StopRule.INDISTINGUISHABLE);
    }

    public UnlearningSettings withLearningRate(double lr) {
        return new UnlearningSettings(maxSteps, lr, alpha, retainBatchSize, adam, objective, stopRule, anchor);
    }

    public UnlearningSettings withAlpha(double a) {
        return new UnlearningSettings(maxSteps, learningRate, a, retainBatchSize, adam, objective, stopRule, anchor);
    }

    public UnlearningSettings withAnchor(double weight) {
        return new UnlearningSettings(maxSteps, learningRate, alpha, retainBatchSize, adam, objective, stopRule, weight);
    }
}
