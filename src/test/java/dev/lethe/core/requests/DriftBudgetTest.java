package dev.lethe.core.requests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DriftBudgetTest {

    @Test
    void accuracyDropIsTheSumOfPairedChangesAndABreachIsReportedOncePerBase() {
        DriftBudget budget = new DriftBudget(new DriftBudget.Limits(0.02, 0));
        budget.reset(1, 1000, 0, 0, false);
        assertThat(budget.onVersion(0.850, 0.840, 5, 995)).isEmpty();
        assertThat(budget.onVersion(0.830, 0.835, 5, 990)).isEmpty(); // a gain counts back
        assertThat(budget.accuracyDrop()).isCloseTo(0.005, org.assertj.core.data.Offset.offset(1e-12));
        var breach = budget.onVersion(0.835, 0.815, 10, 980);
        assertThat(breach).isPresent();
        assertThat(breach.get().accuracyDrop()).isCloseTo(0.025, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(breach.get().erasedSamples()).isEqualTo(20);
        assertThat(breach.get().reason()).startsWith("budget: accuracy drop").contains("base version 1");
        budget.reported();
        assertThat(budget.onVersion(0.815, 0.700, 1, 979)).isEmpty();
        assertThat(budget.isExceeded()).isTrue();

        budget.reset(7, 900, 0, 0, false);
        assertThat(budget.isExceeded()).isFalse();
        assertThat(budget.onVersion(0.8, 0.79, 1, 899)).isEmpty();
    }

    @Test
    void theErasedShareIsCountedAgainstTheBaseSamplesAndNaNAccuraciesAreSkipped() {
        DriftBudget budget = new DriftBudget(new DriftBudget.Limits(0, 0.1));
        budget.reset(3, 0, 0, 0, false); // started before any sample was indexed
        assertThat(budget.onVersion(Double.NaN, 0.5, 19, 181)).isEmpty();
        assertThat(budget.accuracyDrop()).isZero();
        var breach = budget.onVersion(0.8, 0.8, 1, 180);
        assertThat(breach).isPresent();
        assertThat(breach.get().erasedFraction()).isEqualTo(0.1);
        assertThat(breach.get().baseVersion()).isEqualTo(3);
        assertThat(breach.get().reason()).contains("erased share");
    }

    @Test
    void aBreachAlreadyPublishedBeforeARestartIsNotReportedAgain() {
        DriftBudget budget = new DriftBudget(new DriftBudget.Limits(0.01, 0.01));
        budget.reset(1, 100, 0.5, 50, true);
        assertThat(budget.check()).isEmpty();
        assertThat(budget.isExceeded()).isTrue();
        assertThat(budget.onVersion(0.9, 0.5, 10, 40)).isEmpty();
    }
}
