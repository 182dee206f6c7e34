package dev.lethe.core.unlearn;

import dev.lethe.core.gradients.Vectors;
import dev.lethe.core.model.Network;

/** Gradient ascent on the forget set alone (GA): the simplest baseline, with no retain term. */
public final class GradientAscent extends StepwiseUnlearner {

    public GradientAscent(UnlearningSettings settings) {
        super(settings);
    }

    /** Unlearns only the tensors whose names match {@code parameterPattern} (null: all). */
    public GradientAscent(UnlearningSettings settings, String parameterPattern) {
        super(settings, parameterPattern);
    }

    @Override
    public String name() {
        return "ga";
    }

    @Override
    protected boolean usesRetainTerm() {
        return false;
    }

    @Override
    protected float[] update(Network network, Step step) {
        return Vectors.scale(-1, step.normaliseForget(step.forgetGradient()));
    }
}
