package dev.lethe.core.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class UnlearningImpactTest {

    @Test
    void uisMatchesAHandComputedExample() {
        // (|0.80 − 0.76| + |0.80 − 0.70|) / (2 · 0.80) = (0.04 + 0.10) / 1.6 = 0.0875
        assertThat(UnlearningImpact.uis(0.80, 0.76, 0.70)).isCloseTo(0.0875, within(1e-12));
    }

    @Test
    void uisIsZeroWhenTestAndForgetAccuracyEqualTheOriginalTestAccuracy() {
        assertThat(UnlearningImpact.uis(0.9, 0.9, 0.9)).isZero();
    }

    @Test
    void uisCountsDeviationsInEitherDirectionAndIsScaleFree() {
        // Forget accuracy above test accuracy (still remembered) is penalised like one below it.
        assertThat(UnlearningImpact.uis(0.5, 0.5, 0.6)).isCloseTo(UnlearningImpact.uis(0.5, 0.5, 0.4), within(1e-12));
        assertThat(UnlearningImpact.uis(80, 76, 70)).isCloseTo(UnlearningImpact.uis(0.80, 0.76, 0.70), within(1e-12));
    }

    @Test
    void uisRejectsANonPositiveOriginalAccuracy() {
        assertThatThrownBy(() -> UnlearningImpact.uis(0.0, 0.5, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void avgGapIsTheMeanAbsoluteDifference() {
        double[] unlearned = {0.90, 0.95, 0.80, 0.52}; // forgetAcc, retainAcc, testAcc, miaAuc
        double[] retrain = {0.82, 0.97, 0.81, 0.50};
        // (0.08 + 0.02 + 0.01 + 0.02) / 4 = 0.0325
        assertThat(UnlearningImpact.avgGap(unlearned, retrain)).isCloseTo(0.0325, within(1e-12));
        assertThat(UnlearningImpact.avgGap(retrain, unlearned)).isCloseTo(0.0325, within(1e-12));
    }

    @Test
    void avgGapRejectsMismatchedOrEmptyInput() {
        assertThatThrownBy(() -> UnlearningImpact.avgGap(new double[] {1}, new double[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnlearningImpact.avgGap(new double[0], new double[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
