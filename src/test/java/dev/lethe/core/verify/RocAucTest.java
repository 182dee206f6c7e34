package dev.lethe.core.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RocAucTest {

    private static double bruteForceAuc(double[] pos, double[] neg) {
        double wins = 0.0;
        for (double p : pos) {
            for (double q : neg) {
                wins += p > q ? 1.0 : p == q ? 0.5 : 0.0;
            }
        }
        return wins / ((double) pos.length * neg.length);
    }

    @Test
    void aucEqualsBruteForcePairwiseCountOnRandomDataWithTies() {
        Random random = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            double[] pos = new double[1 + random.nextInt(60)];
            double[] neg = new double[1 + random.nextInt(60)];
            // Few distinct values, so ties within and across classes are common.
            for (int i = 0; i < pos.length; i++) {
                pos[i] = random.nextInt(8) + (trial % 2 == 0 ? 0.5 : 0.0);
            }
            for (int i = 0; i < neg.length; i++) {
                neg[i] = random.nextInt(8);
            }
            assertThat(RocAuc.auc(pos, neg)).isCloseTo(bruteForceAuc(pos, neg), within(1e-12));
        }
    }

    @Test
    void perfectSeparationGivesOneAndReversedGivesZero() {
        double[] high = {5, 6, 7, 8};
        double[] low = {1, 2, 3};
        assertThat(RocAuc.auc(high, low)).isEqualTo(1.0);
        assertThat(RocAuc.auc(low, high)).isEqualTo(0.0);
    }

    @Test
    void allScoresTiedGivesExactlyOneHalf() {
        assertThat(RocAuc.auc(new double[] {3, 3, 3}, new double[] {3, 3})).isEqualTo(0.5);
    }

    @Test
    void identicalDistributionsGiveAboutOneHalf() {
        Random random = new Random(11);
        double[] a = random.doubles(5000).toArray();
        double[] b = random.doubles(5000).toArray();
        assertThat(RocAuc.auc(a, b)).isCloseTo(0.5, within(0.03));
    }

    @Test
    void hanleyMcNeilIntervalContainsTheAucAndNarrowsWithMoreSamples() {
        double[] small = RocAuc.hanleyMcNeilInterval(0.7, 50, 50, 1.96);
        double[] large = RocAuc.hanleyMcNeilInterval(0.7, 5000, 5000, 1.96);
        assertThat(small[0]).isLessThan(0.7);
        assertThat(small[1]).isGreaterThan(0.7);
        assertThat(large[0]).isLessThan(0.7).isGreaterThan(small[0]);
        assertThat(large[1]).isGreaterThan(0.7).isLessThan(small[1]);
        assertThat(large[1] - large[0]).isLessThan((small[1] - small[0]) / 5);
    }

    @Test
    void hanleyMcNeilIntervalMatchesTheClosedFormAndIsClippedToTheUnitInterval() {
        double a = 0.8;
        double q1 = a / (2 - a);
        double q2 = 2 * a * a / (1 + a);
        double se = Math.sqrt((a * (1 - a) + 19 * (q1 - a * a) + 29 * (q2 - a * a)) / (20.0 * 30.0));
        double[] ci = RocAuc.hanleyMcNeilInterval(a, 20, 30, 1.96);
        assertThat(ci[0]).isCloseTo(a - 1.96 * se, within(1e-12));
        assertThat(ci[1]).isCloseTo(a + 1.96 * se, within(1e-12));

        double[] nearOne = RocAuc.hanleyMcNeilInterval(0.99, 3, 3, 1.96);
        assertThat(nearOne[1]).isEqualTo(1.0);
        assertThat(RocAuc.hanleyMcNeilInterval(1.0, 10, 10, 1.96)).containsExactly(1.0, 1.0);
    }

    @Test
    void emptyOrNaNScoresAreRejected() {
        assertThatThrownBy(() -> RocAuc.auc(new double[0], new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RocAuc.auc(new double[] {1}, new double[] {Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
