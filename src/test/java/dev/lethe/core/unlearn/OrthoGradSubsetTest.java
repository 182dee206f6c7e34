package dev.lethe.core.unlearn;

import ai.djl.Device;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.gradients.Vectors;
import dev.lethe.core.model.Adam;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.ParameterSubset;
import dev.lethe.core.testing.TinyData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

class OrthoGradSubsetTest {

    private static final int[] SHAPE = {1, 28, 28};
    /** The CNN's two dense layers. */
    private static final String DENSE = "Linear";
    private final SampleSet forget = TinyData.samples(20, 41);
    private final SampleSet retain = TinyData.samples(16, 42);

    @ParameterizedTest
    @EnumSource(ProjectionMode.class)
    void parametersOutsideTheSubsetAreUnchangedAfterUnlearning(ProjectionMode mode) {
        SampleSet reference = TinyData.samples(40, 43);
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 7)) {
            ParameterSubset subset = net.parameterSubset(DENSE);
            float[] before = net.parameters();
            // With the function anchor on: it acts over all parameters, and must be kept to the subset too.
            UnlearningSettings s = new UnlearningSettings(3, 1e-2, 0.5, 16, true, ForgetObjective.ASCENT, StopRule.BUDGET, 1.0);
            UnlearningResult r = new OrthoGrad(s, mode, DENSE).unlearn(net,
                    new UnlearningTask(forget, retain, reference, 1), Unlearner.StepObserver.NONE);
            float[] after = net.parameters();

            assertThat(r.steps()).isEqualTo(3);
            float[] changedInside = subset.gather(Vectors.combine(1, after, -1, before));
            assertThat(Vectors.norm(changedInside)).isGreaterThan(0);
            for (Network.ParameterSlice slice : net.layout()) {
                if (!subset.names().contains(slice.name())) {
                    for (int i = slice.offset(); i < slice.offset() + slice.size(); i++) {
                        assertThat(after[i]).as("%s[%d]", slice.name(), i - slice.offset()).isEqualTo(before[i]);
                    }
                }
            }
        }
    }

    @Test
    void forgetDirectionIsOrthogonalToEveryRetainGradientOnTheSubsetAndZeroElsewhere() {
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 8)) {
            ParameterSubset subset = net.parameterSubset("^10Linear_weight$|^08Linear_weight$");
            OrthoGrad method = new OrthoGrad(UnlearningSettings.defaults(), ProjectionMode.GLOBAL, subset.pattern());
            OrthoGrad.Directions d = method.directions(net, retain, net.meanGradient(forget),
                    new Adam(net.parameterCount())::direction, new Adam(net.parameterCount())::direction);

            assertThat(d.forget()).hasSize(net.parameterCount());
            float[] inside = subset.gather(d.forget());
            assertThat(Vectors.norm(inside)).isGreaterThan(0);
            assertThat(Vectors.norm(d.forget())).isEqualTo(Vectors.norm(inside));
            assertThat(Vectors.norm(d.retain())).isEqualTo(Vectors.norm(subset.gather(d.retain())));
            // Reference per-sample gradients by the loop, restricted to the subset.
            for (float[] g : net.perSampleGradientsByLoop(retain, subset)) {
                assertThat(Math.abs(Vectors.cosine(inside, g))).isLessThanOrEqualTo(1e-6);
            }
            assertThat(d.rank()).isEqualTo(retain.size());
        }
    }

    @Test
    void withoutAPatternOrthoGradCoversEveryParameter() {
        assertThat(new OrthoGrad(UnlearningSettings.defaults(), ProjectionMode.GLOBAL).parameterPattern()).isNull();
        try (Network net = Network.create(Architecture.MLP, SHAPE, 10, Device.cpu(), 9)) {
            assertThat(net.parameterSubset(null).isAll()).isTrue();
            assertThat(net.parameterSubset(" ").size()).isEqualTo(net.parameterCount());
        }
    }
}
