package dev.lethe.core.unlearn;

import dev.lethe.core.gradients.Vectors;
import dev.lethe.core.model.Network;

/**
 * NegGrad+ (Kurmanji et al., 2023): retain descent mixed with forget ascent, no projection:
 * θ ← θ − lr·(α·g_r − (1−α)·g_u). OrthoGrad minus the orthogonality.
 */
public final class NegGradPlus extends StepwiseUnlearner {

    public NegGradPlus(UnlearningSettings settings) {
        super(settings);
    }

    /** Unlearns only the tensors whose names match {@code parameterPattern} (null: all). */
    public NegGradPlus(UnlearningSettings settings, String parameterPattern) {
        super(settings, parameterPattern);
    }

    @Override
    public String name() {
        return "neggrad-plus";
    }

    @Override
    protected float[] update(Network network, Step step) {
        float[] retain = step.normaliseRetain(network.meanGradient(step.retainBatch()));
        float[] forget = step.normaliseForget(step.forgetGradient());
        double alpha = settings.alpha();
        return Vectors.combine(alpha, retain, -(1 - alpha), forget);
    }
}
