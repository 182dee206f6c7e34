package dev.lethe.core.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LogisticRegressionTest {

    @Test
    void recoversTheSignAndScaleOfAKnownModel() {
        Random random = new Random(3);
        int n = 20000;
        double[][] x = new double[n][2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = 3.0 + 2.0 * random.nextGaussian(); // off-centre and wide: exercises standardisation
            x[i][1] = random.nextGaussian();
            double logit = 0.5 + 0.8 * x[i][0] - 2.0 * x[i][1] - 2.4;
            y[i] = random.nextDouble() < 1.0 / (1.0 + Math.exp(-logit)) ? 1 : 0;
        }
        LogisticRegression model = LogisticRegression.fit(x, y);
        assertThat(model.coefficients()[0]).isCloseTo(0.8, within(0.06));
        assertThat(model.coefficients()[1]).isCloseTo(-2.0, within(0.12));
        assertThat(model.intercept()).isCloseTo(-1.9, within(0.2));
        double[] probe = {4.0, 0.3};
        double expectedLogit = -1.9 + 0.8 * 4.0 - 2.0 * 0.3;
        assertThat(model.decisionFunction(probe)).isCloseTo(expectedLogit, within(0.15));
        assertThat(model.probability(probe))
                .isCloseTo(1.0 / (1.0 + Math.exp(-expectedLogit)), within(0.03));
    }

    @Test
    void staysFiniteAndClassifiesCorrectlyOnPerfectlySeparableData() {
        double[][] x = new double[200][1];
        int[] y = new int[200];
        for (int i = 0; i < 200; i++) {
            x[i][0] = i < 100 ? -1.0 - i * 0.01 : 1.0 + i * 0.01;
            y[i] = i < 100 ? 0 : 1;
        }
        LogisticRegression model = LogisticRegression.fit(x, y);
        assertThat(model.coefficients()[0]).isFinite().isPositive();
        assertThat(model.intercept()).isFinite();
        for (int i = 0; i < 200; i++) {
            double p = model.probability(x[i]);
            assertThat(p).isNotNaN();
            assertThat(p > 0.5).isEqualTo(y[i] == 1);
        }
        assertThat(model.probability(new double[] {-5})).isLessThan(0.01);
        assertThat(model.probability(new double[] {5})).isGreaterThan(0.99);
    }

    @Test
    void balancedWeightsGiveEachClassHalfTheTotalWeight() {
        int[] y = {1, 0, 0, 0, 0};
        double[] w = LogisticRegression.balancedWeights(y);
        assertThat(w).containsExactly(2.5, 0.625, 0.625, 0.625, 0.625);
    }

    @Test
    void balancedWeightsKeepAMinorityClassFromBeingIgnored() {
        Random random = new Random(5);
        int n = 2200;
        double[][] x = new double[n][1];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i < 100 ? 1 : 0;
            x[i][0] = random.nextGaussian() + (y[i] == 1 ? 1.0 : 0.0);
        }
        LogisticRegression model = LogisticRegression.fit(x, y, LogisticRegression.balancedWeights(y), 1e-3);
        // With balanced weights the decision boundary sits between the class means (~0.5),
        // not far out in the tail where an unweighted fit would put it.
        double boundary = -model.intercept() / model.coefficients()[0];
        assertThat(boundary).isBetween(0.2, 0.8);
    }

    @Test
    void constantFeatureAndMismatchedInputAreHandled() {
        LogisticRegression model = LogisticRegression.fit(new double[][] {{1}, {1}, {1}, {1}}, new int[] {1, 0, 0, 1});
        assertThat(model.probability(new double[] {1})).isCloseTo(0.5, within(1e-9));
        assertThatThrownBy(() -> LogisticRegression.fit(new double[][] {{1}}, new int[] {2}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogisticRegression.fit(new double[][] {{Double.NaN}}, new int[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogisticRegression.fit(new double[][] {{1}, {1, 2}}, new int[] {1, 0}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
