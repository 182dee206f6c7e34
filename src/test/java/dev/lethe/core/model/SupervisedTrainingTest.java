package dev.lethe.core.model;

import ai.djl.Device;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.testing.TinyData;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SupervisedTrainingTest {

    private static final int[] SHAPE = {1, 28, 28};
    private final SampleSet data = TinyData.samples(96, 40);
    private final TrainingRecipe recipe = new TrainingRecipe(8, 32, 2e-3, 1e-4);

    @Test
    void theSameSeedTrainsTheSameWeights() {
        try (Network a = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 3);
             Network b = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 3)) {
            SupervisedTraining.train(a, data, recipe, 3, null);
            SupervisedTraining.train(b, data, recipe, 3, null);
            assertThat(a.parameters()).containsExactly(b.parameters());
        }
    }

    @Test
    void anotherSeedStartsFromOtherWeights() {
        try (Network a = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 3);
             Network b = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 4)) {
            assertThat(a.parameters()).isNotEqualTo(b.parameters());
        }
    }

    @Test
    void trainingMemorisesASmallTrainingSet() {
        try (Network net = Network.create(Architecture.MLP, SHAPE, 10, Device.cpu(), 5)) {
            double before = net.predict(data).meanLoss();
            SupervisedTraining.Summary summary = SupervisedTraining.train(net, data,
                    new TrainingRecipe(40, 32, 2e-3, 1e-3), 5, null);
            assertThat(summary.finalLoss()).isLessThan(before / 10);
            assertThat(net.predict(data).accuracy()).isEqualTo(1.0);
        }
    }

    @Test
    void cosineScheduleStartsAtTheLearningRateAndEndsAtZero() {
        TrainingRecipe r = new TrainingRecipe(10, 32, 1e-3, 0);
        assertThat(r.learningRateAt(0, 100)).isEqualTo(1e-3);
        assertThat(r.learningRateAt(50, 100)).isCloseTo(5e-4, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(r.learningRateAt(100, 100)).isCloseTo(0, org.assertj.core.api.Assertions.within(1e-12));
    }
}
