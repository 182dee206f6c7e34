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
}
