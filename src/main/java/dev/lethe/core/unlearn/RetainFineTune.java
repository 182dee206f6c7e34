package dev.lethe.core.unlearn;

import dev.lethe.core.model.Network;

/**
 * Fine-tuning on the retain buffer only: forgets by catastrophic forgetting, never touching the
 * forget set. Shows how much a small retain buffer alone achieves.
 */
public final class RetainFineTune extends StepwiseUnlearner {

    public RetainFineTune(UnlearningSettings settings) {
        super(settings);
    }

    /** Unlearns only the tensors whose names match {@code parameterPattern} (null: all). */
    public RetainFineTune(UnlearningSettings settings, String parameterPattern) {
        super(settings, parameterPattern);
    }

    @Override
    public String name() {
        return "finetune";
    }

    @Override
    protected boolean usesForgetGradient() {
        return false;
    }

    @Override
    protected float[] update(Network network, Step step) {
        return step.normaliseRetain(network.meanGradient(step.retainBatch()));
    }
}
