package dev.lethe.core.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MembershipInferenceTest {

    /** Exponential losses with the given mean, like cross-entropies of a classifier. */
    private static double[] exponentialLosses(Random random, int n, double mean) {
        double[] losses = new double[n];
        for (int i = 0; i < n; i++) {
            losses[i] = -mean * Math.log(1.0 - random.nextDouble());
        }
        return losses;
    }

    @Test
    void membersWithLowerLossesAreDetected() {
        Random random = new Random(1);
        double[] members = exponentialLosses(random, 500, 0.3);
        double[] nonMembers = exponentialLosses(random, 500, 1.0);
        MembershipInference.Result result = MembershipInference.attack(members, nonMembers, 5, 42);
        assertThat(result.auc()).isGreaterThan(0.6);
        assertThat(result.aucLow()).isGreaterThan(0.5);
        assertThat(result.aucLow()).isLessThan(result.auc());
        assertThat(result.aucHigh()).isGreaterThan(result.auc());
        assertThat(result.folds()).isEqualTo(5);
        assertThat(result.members()).isEqualTo(500);
        assertThat(result.nonMembers()).isEqualTo(500);
        // The cross-validated attack is about as strong as ranking by loss directly.
        assertThat(result.auc()).isCloseTo(MembershipInference.lossAuc(members, nonMembers), within(0.03));
    }

    @Test
    void identicalDistributionsGiveAnAucNearOneHalf() {
        Random random = new Random(2);
        double[] members = exponentialLosses(random, 2000, 1.0);
        double[] nonMembers = exponentialLosses(random, 2000, 1.0);
        MembershipInference.Result result = MembershipInference.attack(members, nonMembers, 5, 42);
        assertThat(result.auc()).isCloseTo(0.5, within(0.06));
        assertThat(result.aucLow()).isLessThan(0.5);
        assertThat(result.aucHigh()).isGreaterThan(0.5);
    }

    @Test
    void overForgottenMembersWithHigherLossesAreDetectedToo() {
        Random random = new Random(3);
        double[] members = exponentialLosses(random, 500, 3.0);
        double[] nonMembers = exponentialLosses(random, 500, 1.0);
        MembershipInference.Result result = MembershipInference.attack(members, nonMembers, 5, 42);
        assertThat(result.auc()).isGreaterThan(0.6);
        assertThat(result.aucLow()).isGreaterThan(0.5);
        // The naive "lower loss means member" score points the wrong way here.
        assertThat(MembershipInference.lossAuc(members, nonMembers)).isLessThan(0.4);
    }

    @Test
    void aForgetSetHalfRememberedAndHalfOverForgottenIsBeyondThisOneFeatureAttack() {
        Random random = new Random(4);
        double[] remembered = exponentialLosses(random, 250, 0.05);
        double[] overForgotten = exponentialLosses(random, 250, 20.0);
        double[] members = new double[500];
        System.arraycopy(remembered, 0, members, 0, 250);
        System.arraycopy(overForgotten, 0, members, 250, 250);
        double[] nonMembers = exponentialLosses(random, 500, 1.0);
        MembershipInference.Result result = MembershipInference.attack(members, nonMembers, 5, 42);
        // A known limit of a monotone loss attack: the two halves cancel out. This is why the
        // benchmark reports forget accuracy next to the AUC, and why Lethe's forget objective
        // matches the whole loss distribution rather than pushing every loss up.
        assertThat(result.auc()).isLessThan(0.6);
        assertThat(MembershipInference.lossAuc(members, nonMembers)).isCloseTo(0.5, within(0.1));
    }

    @Test
    void sameSeedGivesTheSameResultAndAnotherSeedReshufflesTheFolds() {
        Random random = new Random(5);
        double[] members = exponentialLosses(random, 300, 0.7);
        double[] nonMembers = exponentialLosses(random, 300, 1.0);
        MembershipInference.Result first = MembershipInference.attack(members, nonMembers, 5, 123);
        MembershipInference.Result second = MembershipInference.attack(members, nonMembers, 5, 123);
        MembershipInference.Result other = MembershipInference.attack(members, nonMembers, 5, 124);
        assertThat(second).isEqualTo(first);
        assertThat(other.auc()).isNotEqualTo(first.auc()).isCloseTo(first.auc(), within(0.05));
    }

    @Test
    void imbalancedHundredMembersVersusThousandNonMembersWorks() {
        Random random = new Random(6);
        double[] members = exponentialLosses(random, 100, 0.3);
        double[] nonMembers = exponentialLosses(random, 1000, 1.0);
        MembershipInference.Result result = MembershipInference.attack(members, nonMembers, 5, 42);
        assertThat(result.members()).isEqualTo(100);
        assertThat(result.nonMembers()).isEqualTo(1000);
        assertThat(result.auc()).isGreaterThan(0.6);
        assertThat(result.auc()).isCloseTo(MembershipInference.lossAuc(members, nonMembers), within(0.05));

        double[] sameMembers = exponentialLosses(random, 100, 1.0);
        MembershipInference.Result nullResult = MembershipInference.attack(sameMembers, nonMembers, 5, 42);
        // No false alarm: with nothing to find the attack does not claim membership. (Cross-validated
        // AUCs lean below 0.5 under the null: held-out folds mirror what the training folds saw.)
        assertThat(nullResult.aucLow()).isLessThan(0.5);
        assertThat(nullResult.auc()).isLessThan(0.56);
    }

    @Test
    void foldsAreReducedWhenAClassHasFewerSamplesThanFolds() {
        double[] members = {0.1, 0.2, 0.15};
        double[] nonMembers = {1.0, 2.0, 0.8, 1.5, 3.0, 0.9, 1.1};
        MembershipInference.Result result = MembershipInference.attack(members, nonMembers, 10, 42);
        assertThat(result.folds()).isEqualTo(3);
        assertThat(result.auc()).isBetween(0.0, 1.0);
    }

    @Test
    void invalidInputIsRejected() {
        double[] ok = {0.1, 0.2, 0.3};
        assertThatThrownBy(() -> MembershipInference.attack(new double[0], ok, 5, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MembershipInference.attack(new double[] {0.1, Double.NaN}, ok, 5, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MembershipInference.attack(new double[] {0.1, -1.0}, ok, 5, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MembershipInference.attack(new double[] {0.1}, ok, 5, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MembershipInference.attack(ok, ok, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MembershipInference.lossAuc(ok, new double[] {Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lossAucTreatsLowerLossAsMember() {
        assertThat(MembershipInference.lossAuc(new double[] {0.1, 0.2}, new double[] {1.0, 2.0})).isEqualTo(1.0);
        assertThat(MembershipInference.lossAuc(new double[] {1.0, 2.0}, new double[] {0.1, 0.2})).isEqualTo(0.0);
        assertThat(MembershipInference.lossAuc(new double[] {0.5}, new double[] {0.5})).isEqualTo(0.5);
    }

    @Test
    void theCalibratedLossAttackReadsOneHalfOnNullDrawsWhereTheCrossValidatedOneDidNot() {
        // Two disjoint draws of non-members, 200 times, at the sizes the gate sees.
        java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
        for (int members : new int[] {10, 200}) {
            double sum = 0;
            int draws = 200;
            for (int d = 0; d < draws; d++) {
                double[] m = new double[members];
                double[] n = new double[500];
                for (int i = 0; i < m.length; i++) {
                    m[i] = Math.exp(rng.nextGaussian() - 1);
                }
                for (int i = 0; i < n.length; i++) {
                    n[i] = Math.exp(rng.nextGaussian() - 1);
                }
                AttackResult r = MembershipInference.lossAttack(m, n);
                assertThat(r.aucLow()).isLessThanOrEqualTo(r.auc());
                assertThat(r.aucHigh()).isGreaterThanOrEqualTo(r.auc());
                sum += r.auc();
            }
            assertThat(sum / draws).as("mean null AUC at %d members", members).isBetween(0.48, 0.52);
        }
    }

    @Test
    void theCalibratedLossAttackSeesMembersWithLowerLossesAndReportsTprAtLowFpr() {
        double[] members = new double[200];
        double[] nonMembers = new double[1000];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < members.length; i++) {
            members[i] = Math.exp(rng.nextGaussian() - 3);
        }
        for (int i = 0; i < nonMembers.length; i++) {
            nonMembers[i] = Math.exp(rng.nextGaussian() - 1);
        }
        AttackResult r = MembershipInference.lossAttack(members, nonMembers);
        assertThat(r.name()).isEqualTo("loss");
        assertThat(r.auc()).isGreaterThan(0.85);
        assertThat(r.tprAt1pctFpr()).isGreaterThan(r.tprAt01pctFpr()).isLessThan(1.0);
        assertThat(r.members()).isEqualTo(200);
    }
}
