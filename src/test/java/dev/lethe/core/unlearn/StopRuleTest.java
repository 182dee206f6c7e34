package dev.lethe.core.unlearn;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StopRuleTest {

    private static UnlearningCheck check(double forgetAcc, double referenceAcc, double lossAuc, int nForget, int nReference) {
        return new UnlearningCheck(forgetAcc, referenceAcc, new double[nForget], new double[nReference], lossAuc);
    }

    @Test
    void accuracyRuleStopsOnceForgetAccuracyFallsToReferenceAccuracy() {
        assertThat(StopRule.ACCURACY.satisfied(check(0.90, 0.85, 0.7, 100, 500))).isFalse();
        assertThat(StopRule.ACCURACY.satisfied(check(0.85, 0.85, 0.7, 100, 500))).isTrue();
    }

    @Test
    void indistinguishableRuleWaitsUntilAnAttackerIsWithinOneStandardErrorOfChance() {
        // n1 = 100, n2 = 500: null standard error of the AUC is sqrt(601 / 600000) ≈ 0.0317.
        assertThat(StopRule.INDISTINGUISHABLE.satisfied(check(0.85, 0.85, 0.54, 100, 500))).isFalse();
        assertThat(StopRule.INDISTINGUISHABLE.satisfied(check(0.85, 0.85, 0.53, 100, 500))).isTrue();
    }

    @Test
    void indistinguishableRuleAlsoWantsForgetAccuracyDownNearReferenceAccuracy() {
        // Binomial standard error at p = 0.85, n = 100 is ≈ 0.0357.
        assertThat(StopRule.INDISTINGUISHABLE.satisfied(check(0.90, 0.85, 0.5, 100, 500))).isFalse();
        assertThat(StopRule.INDISTINGUISHABLE.satisfied(check(0.88, 0.85, 0.5, 100, 500))).isTrue();
    }

    @Test
    void budgetRuleNeverStopsEarly() {
        assertThat(StopRule.BUDGET.satisfied(check(0.0, 1.0, 0.0, 10, 10))).isFalse();
    }
}
