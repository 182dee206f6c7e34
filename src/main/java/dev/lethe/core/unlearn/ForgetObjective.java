package dev.lethe.core.unlearn;

/**
 * What the forget term pushes towards.
 *
 * <p>{@link #ASCENT} is the paper's: raise the mean loss of the forget set, without bound.
 * Unbounded ascent overshoots: samples that are already forgotten keep being pushed until they
 * are confidently wrong, which a membership attack notices as surely as memorisation, and which
 * drags test accuracy down with them.
 *
 * <p>{@link #MATCH} is Lethe's bounded alternative: the forget samples' losses are moved towards
 * the loss distribution of never-seen reference data, quantile by quantile (the k-th smallest
 * forget loss towards the reference quantile (k+½)/n). The objective is ½Σ(ℓ_i − t_i)², so each
 * sample is ascended with weight (t_i − ℓ_i): pushed while below its target, pulled back if it
 * overshoots, left alone once it looks like unseen data. That is where a retrained model's
 * losses on those samples would land.
 */
public enum ForgetObjective {
    ASCENT,
    MATCH;

    public static ForgetObjective parse(String s) {
        return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
    }
}
