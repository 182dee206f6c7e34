package dev.lethe.core.unlearn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.SupervisedTraining;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.testing.TinyData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class VerifiedUnlearningTest {

    private static final SampleSet TRAIN = TinyData.samples(60, 31);
    private static final SampleSet HOLDOUT = TinyData.samples(40, 32);
    private static Network trained;

    @BeforeAll
    static void train() {
        trained = Network.create(Architecture.CNN, TRAIN.shape(), TRAIN.numClasses(), Device.cpu(), 3);
        SupervisedTraining.train(trained, TRAIN, new TrainingRecipe(8, 16, 2e-3, 1e-4), 3, s -> { });
    }

    @AfterAll
    static void close() {
        trained.close();
    }

    private static VerifiedUnlearning unlearning(double miaThreshold) {
        UnlearningSettings settings = new UnlearningSettings(5, 1e-3, 0.5, 8, true, ForgetObjective.MATCH,
                StopRule.BUDGET);
        return new VerifiedUnlearning(new OrthoGrad(settings, ProjectionMode.GLOBAL),
                VerifiedUnlearning.Gate.absolute(miaThreshold, 1.0, 1.0));
    }

    @Test
    void theCurrentModelIsNeverChangedAndTheUnlearnedCopyIsReturned() {
        float[] before = trained.parameters();
        SampleSet forget = TRAIN.first(10);
        VerifiedUnlearning.Outcome outcome = unlearning(1.0).run(trained, forget, TRAIN.filter(s -> true), HOLDOUT, 5);
        try {
            assertThat(trained.parameters()).containsExactly(before);
            assertThat(outcome.unlearned()).isNotSameAs(trained);
            assertThat(outcome.unlearned().parameters()).isNotEqualTo(before);
            assertThat(outcome.result().steps()).isEqualTo(5);
            assertThat(outcome.passed()).isTrue();
            assertThat(outcome.reason()).isNull();
            assertThat(outcome.miaAucBefore()).isBetween(0.0, 1.0);
            assertThat(outcome.miaAuc()).isBetween(0.0, 1.0);
        } finally {
            outcome.unlearned().close();
        }
    }

    @Test
    void aThresholdNoAttackCanMeetFailsTheGateWithTheReason() {
        VerifiedUnlearning.Outcome outcome = unlearning(0.001).run(trained, TRAIN.first(10), TRAIN, HOLDOUT, 5);
        try {
            assertThat(outcome.passed()).isFalse();
            assertThat(outcome.reason()).startsWith("membership attack AUC").contains("above the threshold 0.001");
        } finally {
            outcome.unlearned().close();
        }
    }

    @Test
    void anUnlearningThatBreaksTheModelFailsTheGateOnTheAccuracyDrop() {
        // Twenty Adam-normalised ascent steps at a large rate wreck a small model (bounded steps, no NaN).
        UnlearningSettings wrecking = new UnlearningSettings(20, 0.02, 0.0, 8, true, ForgetObjective.ASCENT,
                StopRule.BUDGET);
        VerifiedUnlearning gate = new VerifiedUnlearning(new GradientAscent(wrecking),
                VerifiedUnlearning.Gate.absolute(1.0, 1.0, 0.0));
        VerifiedUnlearning.Outcome outcome = gate.run(trained, TRAIN.first(10), TRAIN, HOLDOUT, 5);
        try {
            assertThat(outcome.holdoutAcc()).isLessThan(outcome.holdoutAccBefore());
            assertThat(outcome.passed()).isFalse();
            assertThat(outcome.reason()).contains("holdout accuracy fell from");
        } finally {
            outcome.unlearned().close();
        }
    }

    @Test
    void theAccuracyAllowanceIsOneBinomialStandardErrorOfTheForgetSetSize() {
        // 6 samples at 85 %: sqrt(0.85 · 0.15 / 6) ≈ 0.146; 200 samples: ≈ 0.025.
        assertThat(VerifiedUnlearning.accuracyNoise(0.85, 6)).isCloseTo(0.1458, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(VerifiedUnlearning.accuracyNoise(0.85, 200)).isCloseTo(0.0252, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(VerifiedUnlearning.accuracyNoise(1.0, 10)).isPositive();
    }

    @Test
    void holdoutHalvesAreDisjointAndCoverTheHoldout() {
        SampleSet[] halves = VerifiedUnlearning.split(HOLDOUT, 9);
        assertThat(halves[0].size() + halves[1].size()).isEqualTo(HOLDOUT.size());
        assertThat(halves[0].samples()).doesNotContainAnyElementsOf(halves[1].samples());
    }

    @Test
    void tooFewHoldoutSamplesAreRefusedClearly() {
        assertThatThrownBy(() -> unlearning(1.0).run(trained, TRAIN.first(5), TRAIN, HOLDOUT.first(3), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 4 holdout samples");
    }
}
