package dev.lethe.core.unlearn;

import ai.djl.Device;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.gradients.Vectors;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.Predictions;
import dev.lethe.core.testing.TinyData;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FunctionAnchorTest {

    private static final int[] SHAPE = {1, 28, 28};
    private final SampleSet reference = TinyData.samples(40, 43);

    @Test
    void theAnchorGradientIsZeroWhereTheModelStillMatchesTheOriginal() {
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 7)) {
            float[] g = net.softTargetGradient(reference, net.probabilities(reference));

            assertThat(Vectors.norm(g)).isLessThan(1e-6 * Math.max(1, Vectors.norm(net.meanGradient(reference))));
        }
    }

    @Test
    void oneHotTargetsGiveTheCrossEntropyGradient() {
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 7)) {
            float[][] oneHot = new float[reference.size()][10];
            for (int i = 0; i < reference.size(); i++) {
                oneHot[i][reference.get(i).label()] = 1;
            }
            float[] soft = net.softTargetGradient(reference, oneHot);
            float[] hard = net.meanGradient(reference);

            assertThat(Vectors.norm(Vectors.combine(1, soft, -1, hard)) / Vectors.norm(hard)).isLessThan(1e-5);
        }
    }

    @Test
    void descendingTheAnchorPullsADriftedModelBackTowardsTheOriginalOutputs() {
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 7)) {
            float[][] original = net.probabilities(reference);
            net.step(net.meanGradient(TinyData.samples(20, 44)), -0.5); // drift: ascend another set's loss
            double before = kl(original, net.probabilities(reference));
            for (int i = 0; i < 5; i++) {
                net.step(net.softTargetGradient(reference, original), 0.05);
            }
            double after = kl(original, net.probabilities(reference));

            assertThat(before).isGreaterThan(0);
            assertThat(after).isLessThan(before);
        }
    }

    @Test
    void theAnchorsPassRefreshesTheReferenceLossesItVisits() {
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 7)) {
            float[][] outputs = new float[reference.size()][];
            Predictions before = net.predict(reference, outputs);
            assertThat(outputs).isDeepEqualTo(net.probabilities(reference));
            StepwiseUnlearner.Anchor anchor = new StepwiseUnlearner.Anchor(net, reference, before, outputs, 3);
            net.step(net.meanGradient(TinyData.samples(20, 44)), -0.5); // the model moves on
            anchor.nextGradient(); // visits the first 40 of the shuffled 40: all of them
            Predictions now = net.predict(reference);

            Predictions seen = anchor.referencePredictions();
            for (int i = 0; i < reference.size(); i++) {
                assertThat(seen.losses()[i]).isCloseTo(now.losses()[i], within(1e-4 * (1 + now.losses()[i])));
                assertThat(seen.correct()[i]).isEqualTo(now.correct()[i]);
            }
            assertThat(seen.losses()).isNotEqualTo(before.losses());
        }
    }

    @Test
    void gradientAscentHasNoRetainTermSoTheAnchorWeightChangesNothingAndItsReferenceStaysFresh() {
        SampleSet train = TinyData.samples(60, 45);
        SampleSet forgetSet = train.first(12);
        UnlearningTask task = new UnlearningTask(forgetSet, train.with(train.samples().subList(12, 60)), reference, 2);
        UnlearningSettings plain = new UnlearningSettings(12, 3e-3, 0.5, 16, true, ForgetObjective.MATCH,
                StopRule.BUDGET);
        try (Network a = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 9);
             Network b = a.copy()) {
            UnlearningResult without = new GradientAscent(plain).unlearn(a, task, Unlearner.StepObserver.NONE);
            UnlearningResult with = new GradientAscent(plain.withAnchor(20)).unlearn(b, task, Unlearner.StepObserver.NONE);

            assertThat(with.steps()).isEqualTo(without.steps());
            assertThat(with.stopReason()).isEqualTo(without.stopReason());
            assertThat(b.parameters()).containsExactly(a.parameters());
            // Its stop rule sees the reference as it is now (re-evaluated every 4th of 12 steps),
            // not as it was before unlearning.
            assertThat(with.last().referenceLosses()).containsExactly(b.predict(reference).losses());
        }
    }

    @Test
    void anAnchorWeightMustBeFiniteAndNotNegative() {
        UnlearningSettings d = UnlearningSettings.defaults();
        assertThat(d.withAnchor(2.5).anchor()).isCloseTo(2.5, within(0.0));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> d.withAnchor(-1));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> d.withAnchor(Double.NaN));
    }

    private static double kl(float[][] p, float[][] q) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            for (int c = 0; c < p[i].length; c++) {
                if (p[i][c] > 0) {
                    sum += p[i][c] * Math.log(p[i][c] / Math.max(q[i][c], 1e-30));
                }
            }
        }
        return sum / p.length;
    }
}
