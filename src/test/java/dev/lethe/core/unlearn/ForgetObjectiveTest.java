package dev.lethe.core.unlearn;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ForgetObjectiveTest {

    private static UnlearningCheck check(double[] forget, double[] reference) {
        return new UnlearningCheck(1.0, 0.8, forget, reference, 0.9);
    }

    @Test
    void ascentWeighsEveryForgetSampleEqually() {
        double[] w = ForgetGradient.weights(check(new double[]{0.1, 0.2, 5.0, 0.0}, new double[]{1, 2}),
                ForgetObjective.ASCENT);
        assertThat(w).containsExactly(0.25, 0.25, 0.25, 0.25);
    }

    @Test
    void matchingPushesEachSampleTowardsTheReferenceQuantileOfItsRank() {
        // Reference losses 0..10 evenly; forget losses all near zero but ranked 2 < 0 < 1.
        double[] reference = new double[11];
        for (int i = 0; i <= 10; i++) {
            reference[i] = i;
        }
        double[] forget = {0.02, 0.03, 0.01};
        double[] w = ForgetGradient.weights(check(forget, reference), ForgetObjective.MATCH);
        // Targets are the reference quantiles at (k+½)/3: 5/3, 5, 25/3, for ranks 0, 1, 2.
        assertThat(w[2]).isCloseTo((10.0 / 6 - 0.01) / 3, within(1e-9));
        assertThat(w[0]).isCloseTo((5.0 - 0.02) / 3, within(1e-9));
        assertThat(w[1]).isCloseTo((50.0 / 6 - 0.03) / 3, within(1e-9));
    }

    @Test
    void matchingPullsBackSamplesThatOvershotTheirTarget() {
        double[] reference = {0.1, 0.2, 0.3, 0.4};
        double[] forget = {9.0, 0.0};
        double[] w = ForgetGradient.weights(check(forget, reference), ForgetObjective.MATCH);
        assertThat(w[0]).isNegative();
        assertThat(w[1]).isPositive();
    }

    @Test
    void matchingLeavesSamplesAloneOnceTheyLookLikeReferenceData() {
        double[] reference = {0.5, 1.5};
        double[] forget = {0.75, 1.25};
        // Quantiles at 0.25 and 0.75 of {0.5, 1.5} are exactly 0.75 and 1.25.
        double[] w = ForgetGradient.weights(check(forget, reference), ForgetObjective.MATCH);
        assertThat(w[0]).isCloseTo(0, within(1e-12));
        assertThat(w[1]).isCloseTo(0, within(1e-12));
    }

    @Test
    void logMatchingWeightsAreTheGradientOfTheSquaredLogLossGap() {
        double[] reference = {1e-4, 1e-3, 0.5, 2.0};
        double[] forget = {1e-6, 3e-3, 1e-5, 0.9};
        double[] w = ForgetGradient.weights(check(forget, reference), ForgetObjective.MATCH_LOG);
        // w_i = −∂/∂ℓ_i of ½·mean (log ℓ_j − log t_j)², with t_j fixed by the current ranks.
        double h = 1e-9;
        for (int i = 0; i < forget.length; i++) {
            double[] up = forget.clone();
            up[i] *= 1 + h;
            double numeric = -(halfMeanSquaredLogGap(up, reference) - halfMeanSquaredLogGap(forget, reference))
                    / (forget[i] * h);
            assertThat(w[i]).isCloseTo(numeric, within(1e-4 * Math.abs(numeric)));
        }
    }

    @Test
    void logMatchingWeighsAMemorisedSampleByHowManyOrdersOfMagnitudeItIsOff() {
        // Forget losses 1e-6 (memorised) and 1.0; targets 1e-4 and 2.0 (the reference quantiles).
        double[] reference = {1e-4, 1e-4, 2.0, 2.0};
        double[] forget = {1e-6, 1.0};
        double[] linear = ForgetGradient.weights(check(forget, reference), ForgetObjective.MATCH);
        double[] log = ForgetGradient.weights(check(forget, reference), ForgetObjective.MATCH_LOG);
        // Linear matching: the memorised sample weighs 1e-4 against 1 — it is all but ignored.
        assertThat(linear[0] / linear[1]).isLessThan(1e-3);
        // In log-loss it is 4.6 log-units off, the other 0.69: weights 4.6/1e-6 and 0.69/1.
        assertThat(log[0] * forget[0] / (log[1] * forget[1])).isCloseTo(Math.log(100) / Math.log(2), within(1e-4));
    }

    private static double halfMeanSquaredLogGap(double[] forget, double[] reference) {
        // Targets by rank, as ForgetGradient assigns them (ranks do not change for the tiny steps used).
        double[] sortedRef = reference.clone();
        java.util.Arrays.sort(sortedRef);
        Integer[] byLoss = new Integer[forget.length];
        for (int i = 0; i < forget.length; i++) {
            byLoss[i] = i;
        }
        java.util.Arrays.sort(byLoss, (a, b) -> Double.compare(forget[a], forget[b]));
        double sum = 0;
        for (int rank = 0; rank < forget.length; rank++) {
            int i = byLoss[rank];
            double t = ForgetGradient.quantile(sortedRef, (rank + 0.5) / forget.length);
            double d = Math.log(forget[i] + ForgetGradient.LOG_FLOOR) - Math.log(t + ForgetGradient.LOG_FLOOR);
            sum += 0.5 * d * d;
        }
        return sum / forget.length;
    }
}

