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
 *
 * <p>{@link #MATCH_LOG} matches the same quantile targets in log-loss: ½Σ(log ℓ_i − log t_i)²,
 * i.e. weight (log t_i − log ℓ_i)/ℓ_i. Linear matching all but ignores memorised samples whose
 * loss (10⁻⁶) sits two orders of magnitude below a small target (10⁻⁴): their weight is ≈ t_i.
 * A rank-based attack counts them as fully as any other; in log-loss they weigh by how many
 * orders of magnitude they are off.
 */
public enum ForgetObjective {
    ASCENT,
    MATCH,
    MATCH_LOG;

    public static ForgetObjective parse(String s) {
        return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
}
