package dev.lethe.core.unlearn;

import ai.djl.Device;
import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.gradients.Vectors;
import dev.lethe.core.model.Adam;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Network;
import dev.lethe.core.testing.TinyData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

class OrthoGradTest {

    private static final int[] SHAPE = {1, 28, 28};
    private final SampleSet forget = TinyData.samples(20, 21);
    private final SampleSet retain = TinyData.samples(16, 22);

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void globalModeForgetDirectionIsOrthogonalToEveryRetainGradient(boolean adam) {
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 1)) {
            OrthoGrad.Directions d = directions(net, ProjectionMode.GLOBAL, retain, adam);
            assertThat(Vectors.norm(d.forget())).isGreaterThan(0);
            for (float[] g : net.perSampleGradients(retain)) {
                assertThat(Math.abs(Vectors.cosine(d.forget(), g))).isLessThanOrEqualTo(1e-6);
            }
            assertThat(d.rank()).isEqualTo(retain.size());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void perTensorModeForgetDirectionIsOrthogonalWithinEveryTensor(boolean adam) {
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 2)) {
            OrthoGrad.Directions d = directions(net, ProjectionMode.PER_TENSOR, retain, adam);
            float[][] retainGradients = net.perSampleGradients(retain);
            int tensorsWithForgetUpdate = 0;
            for (Network.ParameterSlice slice : net.layout()) {
                float[] f = slice(d.forget(), slice);
                if (Vectors.norm(f) > 0) {
                    tensorsWithForgetUpdate++;
                }
                for (float[] g : retainGradients) {
                    assertThat(Math.abs(Vectors.cosine(f, slice(g, slice))))
                            .as("tensor %s", slice.name()).isLessThanOrEqualTo(1e-6);
                }
            }
            // Tensors with more elements than retain samples keep a forget update.
            assertThat(tensorsWithForgetUpdate).isGreaterThan(0);
        }
    }

    @Test
    void perTensorModeZeroesTheForgetUpdateOfTensorsNoLargerThanTheRetainBatch() {
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 3)) {
            OrthoGrad.Directions d = directions(net, ProjectionMode.PER_TENSOR, retain, false);
            for (Network.ParameterSlice slice : net.layout()) {
                if (slice.size() <= retain.size()) {
                    assertThat(Vectors.norm(slice(d.forget(), slice))).as(slice.name()).isLessThan(1e-6);
                }
            }
        }
    }

    @Test
    void rankDeficientRetainBatchWithDuplicatesGivesAFiniteOrthogonalDirection() {
        List<Sample> duplicated = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            duplicated.add(retain.get(i % 3));
        }
        SampleSet rankThree = retain.with(duplicated);
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 4)) {
            OrthoGrad.Directions d = directions(net, ProjectionMode.GLOBAL, rankThree, true);
            assertThat(d.rank()).isEqualTo(3);
            for (float v : d.forget()) {
                assertThat(Float.isFinite(v)).isTrue();
            }
            assertThat(Vectors.norm(d.forget())).isGreaterThan(0);
            for (float[] g : net.perSampleGradients(rankThree)) {
                assertThat(Math.abs(Vectors.cosine(d.forget(), g))).isLessThanOrEqualTo(1e-6);
            }
        }
    }

    @Test
    void unlearningLowersForgetAccuracyAndKeepsTheModelFinite() {
        SampleSet train = TinyData.samples(120, 30);
        SampleSet forgetSet = train.first(20);
        SampleSet reference = TinyData.samples(100, 31);
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 5)) {
            dev.lethe.core.model.SupervisedTraining.train(net, train,
                    new dev.lethe.core.model.TrainingRecipe(40, 16, 3e-3, 0.01), 5, null);
            double before = net.predict(forgetSet).accuracy();
            UnlearningSettings s = new UnlearningSettings(40, 3e-3, 0.5, 16, true, ForgetObjective.ASCENT, StopRule.ACCURACY);
            UnlearningResult r = new OrthoGrad(s, ProjectionMode.GLOBAL).unlearn(net,
                    new UnlearningTask(forgetSet, train.with(train.samples().subList(20, 120)), reference, 1),
                    Unlearner.StepObserver.NONE);
            assertThat(before).isEqualTo(1.0);
            assertThat(r.steps()).isBetween(1, 40);
            assertThat(r.last().forgetAccuracy()).isLessThan(before);
            for (float v : net.parameters()) {
                assertThat(Float.isFinite(v)).isTrue();
            }
        }
    }

    private OrthoGrad.Directions directions(Network net, ProjectionMode mode, SampleSet retainBatch, boolean adam) {
        OrthoGrad method = new OrthoGrad(UnlearningSettings.defaults(), mode);
        float[] forgetGradient = net.meanGradient(forget);
        UnaryOperator<float[]> retainNorm = adam ? new Adam(net.parameterCount())::direction : UnaryOperator.identity();
        UnaryOperator<float[]> forgetNorm = adam ? new Adam(net.parameterCount())::direction : UnaryOperator.identity();
        return method.directions(net, retainBatch, forgetGradient, retainNorm, forgetNorm);
    }

    private static float[] slice(float[] v, Network.ParameterSlice s) {
        float[] out = new float[s.size()];
        System.arraycopy(v, s.offset(), out, 0, s.size());
        return out;
    }
}
