package dev.lethe.core.model;

import ai.djl.Device;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.testing.TinyData;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FrozenPrefixTest {

    private static final int[] SHAPE = {1, 28, 28};
    private static final String DENSE = "Linear";
    private final SampleSet samples = TinyData.samples(24, 51);

    @Test
    void theHeadOnCachedFeaturesPredictsWhatTheFullModelPredicts() {
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 3);
             FrozenPrefix prefix = FrozenPrefix.of(net, net.parameterSubset(DENSE)).orElseThrow()) {
            assertThat(prefix.featureShape()).containsExactly(512);
            Predictions full = net.predict(samples);
            Predictions head = prefix.head().predict(prefix.features(samples));

            for (int i = 0; i < samples.size(); i++) {
                assertThat(head.losses()[i]).as("loss %d", i).isCloseTo(full.losses()[i], within(1e-5));
            }
            assertThat(head.correct()).containsExactly(full.correct());
        }
    }

    @Test
    void theHeadsGradientsAreTheFullModelsGradientsOnTheSubset() {
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 4)) {
            ParameterSubset subset = net.parameterSubset(DENSE);
            try (FrozenPrefix prefix = FrozenPrefix.of(net, subset).orElseThrow()) {
                Network head = prefix.head();
                SampleSet features = prefix.features(samples);
                assertThat(head.layout().stream().map(Network.ParameterSlice::name).toList())
                        .as("the head names its tensors as the full model does").isEqualTo(subset.names());

                assertClose(head.meanGradient(features), subset.gather(net.meanGradient(samples)));
                float[][] headRows = head.perSampleGradients(features, head.parameterSubset(DENSE));
                float[][] fullRows = net.perSampleGradients(samples, subset);
                for (int i = 0; i < samples.size(); i++) {
                    assertClose(headRows[i], fullRows[i]);
                }
            }
        }
    }

    @Test
    void writeBackCopiesTheHeadIntoTheFullModelAndLeavesThePrefixAlone() {
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 5)) {
            ParameterSubset subset = net.parameterSubset("^10Linear");
            float[] before = net.parameters();
            try (FrozenPrefix prefix = FrozenPrefix.of(net, subset).orElseThrow()) {
                assertThat(prefix.featureShape()).containsExactly(64);
                float[] h = prefix.head().parameters();
                Arrays.fill(h, 0.25f);
                prefix.head().setParameters(h);
                prefix.writeBack();
            }
            float[] after = net.parameters();
            int headStart = subset.fullLayout().get(0).offset();
            assertThat(Arrays.copyOfRange(after, 0, headStart)).containsExactly(Arrays.copyOfRange(before, 0, headStart));
            for (int i = headStart; i < after.length; i++) {
                assertThat(after[i]).isEqualTo(0.25f);
            }
        }
    }

    @Test
    void thereIsNothingToFreezeWhenTheSubsetStartsAtTheFirstLayerOrCoversEverything() {
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 6)) {
            assertThat(FrozenPrefix.of(net, net.parameterSubset(null))).isEmpty();
            assertThat(FrozenPrefix.of(net, net.parameterSubset("^01Conv2d_bias|Linear"))).isEmpty();
            assertThat(FrozenPrefix.of(net, net.parameterSubset("^04Conv2d"))).isPresent();
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("entry %d", i).isCloseTo(expected[i], within(1e-5 * scale + 1e-7));
        }
    }
}
