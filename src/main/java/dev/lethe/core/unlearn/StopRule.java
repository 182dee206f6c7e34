package dev.lethe.core.unlearn;

/**
 * When an unlearning run has done enough. Every rule also stops at the step budget.
 */
public enum StopRule {

    /** The paper's rule: forget accuracy has fallen to the reference (unseen-data) accuracy. */
    ACCURACY {
        @Override
        boolean satisfied(UnlearningCheck c) {
            return c.forgetAccuracy() <= c.referenceAccuracy();
        }
    },

    /**
     * Lethe's rule: a loss-threshold attacker can no longer tell forget samples from reference
     * samples — the AUC of "lower loss ⇒ member" is within one null standard error of chance,
     * √((n₁+n₂+1)/(12·n₁·n₂)) — and forget accuracy is no longer above reference accuracy by more
     * than one binomial standard error. Aims at where retraining lands instead of below it.
     */
    INDISTINGUISHABLE {
        @Override
        boolean satisfied(UnlearningCheck c) {
            int n1 = c.forgetLosses().length;
            int n2 = c.referenceLosses().length;
            double aucMargin = Math.sqrt((n1 + n2 + 1) / (12.0 * n1 * n2));
            double p = c.referenceAccuracy();
            double accMargin = Math.sqrt(Math.max(p * (1 - p), 1e-4) / n1);
            return c.lossAuc() <= 0.5 + aucMargin
                    && c.forgetAccuracy() <= c.referenceAccuracy() + accMargin;
        }
    },

    /** Run the whole step budget. */
    BUDGET {
        @Override
        boolean satisfied(UnlearningCheck c) {
            return false;
        }
    };

    abstract boolean satisfied(UnlearningCheck check);

    public static StopRule parse(String s) {
        return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
}
