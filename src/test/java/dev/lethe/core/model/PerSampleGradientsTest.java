package dev.lethe.core.model;

import ai.djl.Device;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.testing.TinyData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PerSampleGradientsTest {

    private static final int[] SHAPE = {1, 28, 28};

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void meanOfPerSampleGradientsEqualsTheBatchedGradient(Architecture architecture) {
        SampleSet batch = TinyData.samples(32, 3);
        try (Network net = Network.create(architecture, SHAPE, 10, Device.cpu(), 11)) {
            float[] batched = net.meanGradient(batch);
            assertThat(relativeError(mean(net.perSampleGradients(batch)), batched)).isLessThanOrEqualTo(1e-5);
            assertThat(relativeError(mean(net.perSampleGradientsByLoop(batch)), batched)).isLessThanOrEqualTo(1e-5);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void replicatedWeightsGiveTheSameRowsAsOnePassPerSample(Architecture architecture) {
        SampleSet batch = TinyData.samples(16, 5);
        try (Network net = Network.create(architecture, SHAPE, 10, Device.cpu(), 12)) {
            float[][] fast = net.perSampleGradients(batch);
            float[][] loop = net.perSampleGradientsByLoop(batch);
            assertThat(fast).hasSameDimensionsAs(loop);
            for (int i = 0; i < fast.length; i++) {
                assertThat(relativeError(fast[i], loop[i])).as("sample %d", i).isLessThanOrEqualTo(1e-5);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void perSampleGradientsDoNotChangeTheModel(Architecture architecture) {
        SampleSet batch = TinyData.samples(8, 6);
        try (Network net = Network.create(architecture, SHAPE, 10, Device.cpu(), 13)) {
            float[] before = net.parameters();
            net.perSampleGradients(batch);
            assertThat(net.parameters()).containsExactly(before);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void subsetRowsMatchTheLoopRestrictedToTheSubset(Architecture architecture) {
        SampleSet batch = TinyData.samples(12, 7);
        try (Network net = Network.create(architecture, SHAPE, 10, Device.cpu(), 14)) {
            // The last weighted layer's weight alone, and a middle layer with everything after it.
            List<Network.ParameterSlice> layout = net.layout();
            for (String pattern : List.of("^" + layout.get(layout.size() - 2).name() + "$",
                    layout.get(2).name().substring(0, 2) + "|" + layout.get(layout.size() - 1).name())) {
                ParameterSubset subset = net.parameterSubset(pattern);
                float[][] fast = net.perSampleGradients(batch, subset);
                float[][] loop = net.perSampleGradientsByLoop(batch, subset);
                assertThat(fast[0]).as(pattern).hasSize(subset.size());
                for (int i = 0; i < fast.length; i++) {
                    assertThat(relativeError(fast[i], loop[i])).as("%s, sample %d", pattern, i).isLessThanOrEqualTo(1e-5);
                }
            }
        }
    }

    @Test
    void aReusedMatrixIsOverwrittenWithTheSameRows() {
        SampleSet first = TinyData.samples(8, 8);
        SampleSet second = TinyData.samples(8, 9);
        try (Network net = Network.create(Architecture.CNN_SMALL, SHAPE, 10, Device.cpu(), 15)) {
            ParameterSubset all = net.parameterSubset(null);
            float[][] reused = net.perSampleGradients(first, all, null);
            float[][] again = net.perSampleGradients(second, all, reused);
            assertThat(again).isSameAs(reused);
            float[][] fresh = net.perSampleGradients(second);
            for (int i = 0; i < fresh.length; i++) {
                assertThat(again[i]).containsExactly(fresh[i]);
            }
        }
    }

    static float[] mean(float[][] rows) {
        float[] m = new float[rows[0].length];
        for (int j = 0; j < m.length; j++) {
            double s = 0;
            for (float[] r : rows) {
                s += r[j];
            }
            m[j] = (float) (s / rows.length);
        }
        return m;
    }

    static double relativeError(float[] a, float[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
            den += (double) b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }
}
