package dev.lethe.core.model;

/** A flat gradient ∇θ Σ w_i·ℓ_i and the weighted loss Σ w_i·ℓ_i it was taken of. */
public record NetworkGradient(float[] gradient, double loss) {
}
