package dev.lethe.core.unlearn;

import java.util.Arrays;

/** Per-sample weights of the forget term: its gradient g_u = ∇θ Σ w_i·ℓ_i is ascended. */
final class ForgetGradient {

    /** Added to losses before taking logs: float32 logits resolve losses down to ≈ 1e-12 at best. */
    static final double LOG_FLOOR = 1e-12;

    private ForgetGradient() {
    }

    /**
     * ASCENT: w_i = 1/n. MATCH: w_i = (t_i − ℓ_i)/n with t_i the reference-loss quantile at the
     * rank of ℓ_i among the forget losses, i.e. the gradient of −½·mean (ℓ_i − t_i)². MATCH_LOG:
     * w_i = (log t_i − log ℓ_i)/(n·ℓ_i), the gradient of −½·mean (log ℓ_i − log t_i)².
     */
    static double[] weights(UnlearningCheck check, ForgetObjective objective) {
        double[] losses = check.forgetLosses();
        int n = losses.length;
        double[] w = new double[n];
        if (objective == ForgetObjective.ASCENT) {
            Arrays.fill(w, 1.0 / n);
            return w;
        }
        double[] reference = check.referenceLosses().clone();
        Arrays.sort(reference);
        Integer[] byLoss = new Integer[n];
        for (int i = 0; i < n; i++) {
            byLoss[i] = i;
        }
        Arrays.sort(byLoss, (a, b) -> Double.compare(losses[a], losses[b]));
        for (int rank = 0; rank < n; rank++) {
            int i = byLoss[rank];
            double target = quantile(reference, (rank + 0.5) / n);
            w[i] = objective == ForgetObjective.MATCH_LOG
                    ? (Math.log(target + LOG_FLOOR) - Math.log(losses[i] + LOG_FLOOR)) / ((losses[i] + LOG_FLOOR) * n)
                    : (target - losses[i]) / n;
        }
        return w;
    }

    /** Linear-interpolated quantile of sorted values. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        double frac = pos - lo;
        return sorted[lo] * (1 - frac) + sorted[hi] * frac;
    }
}
