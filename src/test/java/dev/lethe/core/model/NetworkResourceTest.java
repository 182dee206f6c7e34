package dev.lethe.core.model;

import ai.djl.Device;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.testing.TinyData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/** A daemon unlearns for months in one process: no call may leave engine arrays behind. */
class NetworkResourceTest {

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void repeatedPassesLeaveNoArraysBehindInTheModelsManager(Architecture architecture) {
        SampleSet batch = TinyData.samples(8, 2);
        try (Network net = Network.create(architecture, new int[]{1, 28, 28}, 10, Device.cpu(), 1)) {
            exercise(net, batch);
            int before = net.managedArrayCount();
            for (int i = 0; i < 3; i++) {
                exercise(net, batch);
            }
            assertThat(net.managedArrayCount()).isEqualTo(before);
        }
    }

    private static void exercise(Network net, SampleSet batch) {
        net.perSampleGradients(batch);
        net.perSampleGradientsByLoop(batch);
        float[] g = net.meanGradient(batch);
        net.predict(batch);
        net.predictThenGradient(batch, p -> new double[batch.size()]);
        net.step(g, 0.0);
    }
}
