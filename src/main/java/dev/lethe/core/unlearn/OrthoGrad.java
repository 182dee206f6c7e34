package dev.lethe.core.unlearn;

import dev.lethe.core.data.SampleSet;
import dev.lethe.core.gradients.OrthogonalProjection;
import dev.lethe.core.gradients.PerSampleGradients;
import dev.lethe.core.gradients.Vectors;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.ParameterSubset;

/**
 * OrthoGrad (Shamsian et al., 2025, arXiv 2503.02312): the forget gradient is projected onto the
 * orthogonal complement of every per-sample gradient of a retain batch, so that to first order
 * the forget step changes no retain sample's loss; the retain mean is descended alongside:
 * θ ← θ − lr·(α·mean_i g_r,i − (1−α)·g⊥), g⊥ = g_u − Q Qᵀ g_u.
 *
 * <p>With Adam normalisation each term keeps its own moments, and the normalised forget
 * direction is projected once more: element-wise rescaling would otherwise rotate it out of the
 * orthogonal complement.
 *
 * <p>With a parameter pattern, only the tensors whose names match it are unlearned: per-sample
 * gradients, projection and update cover those tensors alone (B×P_selected memory) and every other
 * parameter stays as it is.
 */
public final class OrthoGrad extends StepwiseUnlearner {

    private final ProjectionMode mode;

    public OrthoGrad(UnlearningSettings settings, ProjectionMode mode) {
        this(settings, mode, null);
    }

    /**
     * @param parameterPattern regex over parameter names (see {@link Network#parameterSubset}); only
     *                         matching tensors are unlearned; null or blank: all
     */
    public OrthoGrad(UnlearningSettings settings, ProjectionMode mode, String parameterPattern) {
        super(settings, parameterPattern);
        this.mode = mode;
    }

    @Override
    public String name() {
        return mode == ProjectionMode.GLOBAL ? "orthograd-global" : "orthograd";
    }

    /** The two directions of one step and the rank of the retain subspace. */
    public record Directions(float[] retain, float[] forget, int rank) {
    }

    /**
     * Both directions for a retain batch and a forget gradient, before the learning rate:
     * {@code retain} is descended, {@code forget} is ascended and orthogonal to every per-sample
     * retain gradient (per tensor in per-tensor mode).
     */
    public Directions directions(Network network, SampleSet retainBatch, float[] forgetGradient,
                                 java.util.function.UnaryOperator<float[]> normaliseRetain,
                                 java.util.function.UnaryOperator<float[]> normaliseForget) {
        ParameterSubset subset = network.parameterSubset(parameterPattern());
        PerSampleGradients perSample = network.perSampleGradientParts(retainBatch, subset);
        OrthogonalProjection projection = mode == ProjectionMode.GLOBAL
                ? OrthogonalProjection.global(perSample, OrthogonalProjection.DEFAULT_RANK_TOLERANCE)
                : OrthogonalProjection.perTensor(perSample, OrthogonalProjection.DEFAULT_RANK_TOLERANCE);
        if (subset.isAll()) {
            float[] forget = projection.project(normaliseForget.apply(projection.project(forgetGradient)));
            float[] retain = normaliseRetain.apply(perSample.mean());
            return new Directions(retain, forget, projection.rank());
        }
        // Zero outside the subset, and Adam keeps zero coordinates at zero.
        float[] projected = subset.scatter(projection.project(subset.gather(forgetGradient)));
        float[] forget = subset.scatter(projection.project(subset.gather(normaliseForget.apply(projected))));
        // The anchor (if any) contributes over all parameters: keep the subset's part only.
        float[] retain = subset.scatter(subset.gather(normaliseRetain.apply(subset.scatter(perSample.mean()))));
        return new Directions(retain, forget, projection.rank());
    }

    @Override
    protected float[] update(Network network, Step step) {
        Directions d = directions(network, step.retainBatch(), step.forgetGradient(),
                step::normaliseRetain, step::normaliseForget);
        double alpha = settings.alpha();
        return Vectors.combine(alpha, d.retain(), -(1 - alpha), d.forget());
    }
}
