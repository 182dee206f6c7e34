package dev.lethe.core.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MembershipGateTest {

    private static final double[] NULL_AUCS = {0.49, 0.51, 0.50, 0.52, 0.48, 0.50, 0.51, 0.49};

    @Test
    void theThresholdIsTheReferencesMeanPlusZSpreadsAndNeverTighterThanTheMannWhitneyNull() {
        MembershipGate.Check c = MembershipGate.check("rmia", 0.9, 0.5, NULL_AUCS, 10, 500, 1.96, false);
        double sd = MembershipGate.mannWhitneyNullSd(10, 500);
        assertThat(sd).isCloseTo(0.0922, within(1e-4));
        assertThat(c.nullMean()).isCloseTo(0.5, within(1e-12));
        assertThat(c.nullSd()).isEqualTo(sd);
        assertThat(c.threshold()).isCloseTo(0.5 + 1.96 * sd, within(1e-12));
    }

    @Test
    void aModelThatForgotNothingFailsWhereTheAttackSeesItAndIsNeverPassedWhereItCannot() {
        // A no-op unlearner: after == before.
        MembershipGate.Check seen = MembershipGate.check("rmia", 0.8, 0.8, NULL_AUCS, 200, 500, 1.96, false);
        assertThat(MembershipGate.decide(List.of(seen)).status()).isEqualTo(MembershipGate.Status.FAILED);
        MembershipGate.Check unseen = MembershipGate.check("rmia", 0.55, 0.55, NULL_AUCS, 10, 500, 1.96, false);
        MembershipGate.Verdict v = MembershipGate.decide(List.of(unseen));
        assertThat(v.status()).isEqualTo(MembershipGate.Status.INSUFFICIENT_EVIDENCE);
        assertThat(v.reason()).startsWith("insufficient evidence").contains("rmia 0.550");
    }

    @Test
    void aModelThatLooksLikeTheReferencesPassesWhenTheAttackSawTheOriginal() {
        MembershipGate.Check loss = MembershipGate.check("loss", 0.62, 0.51, NULL_AUCS, 200, 500, 1.96, true);
        MembershipGate.Check rmia = MembershipGate.check("rmia", 0.85, 0.52, NULL_AUCS, 200, 500, 1.96, false);
        MembershipGate.Verdict v = MembershipGate.decide(List.of(loss, rmia));
        assertThat(v.status()).isEqualTo(MembershipGate.Status.PASSED);
        assertThat(v.reason()).isNull();
    }

    @Test
    void anOvershootThatLeavesForgetLossesAboveHoldoutLossesFailsTheTwoSidedLossCheck() {
        MembershipGate.Check loss = MembershipGate.check("loss", 0.62, 0.30, NULL_AUCS, 200, 500, 1.96, true);
        MembershipGate.Verdict v = MembershipGate.decide(List.of(loss));
        assertThat(v.status()).isEqualTo(MembershipGate.Status.FAILED);
        assertThat(v.reason()).contains("below").contains("high loss");
    }

    @Test
    void onNullDrawsTheGatesUpperCheckFailsAboutTwoAndAHalfPercentOfTheTime() {
        // Exchangeable members and non-members: the share above mean + 1.96 sd must be near 2.5 %.
        SplittableRandom rng = new SplittableRandom(5);
        int above = 0;
        int draws = 4000;
        for (int d = 0; d < draws; d++) {
            double[] m = new double[10];
            double[] n = new double[500];
            for (int i = 0; i < m.length; i++) {
                m[i] = rng.nextDouble();
            }
            for (int i = 0; i < n.length; i++) {
                n[i] = rng.nextDouble();
            }
            double auc = RocAuc.auc(m, n);
            if (!MembershipGate.check("x", 0.9, auc, new double[] {0.5, 0.5}, 10, 500, 1.96, false).passed()) {
                above++;
            }
        }
        assertThat((double) above / draws).isBetween(0.01, 0.045);
    }
}
