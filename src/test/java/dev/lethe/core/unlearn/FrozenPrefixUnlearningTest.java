package dev.lethe.core.unlearn;

import ai.djl.Device;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.gradients.Vectors;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.ParameterSubset;
import dev.lethe.core.testing.TinyData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Step-wise methods with a parameter pattern that freezes the convolutions: they run on the dense head. */
class FrozenPrefixUnlearningTest {

    private static final int[] SHAPE = {1, 28, 28};
    private static final String DENSE = "Linear";
    private final SampleSet train = TinyData.samples(60, 61);
    private final SampleSet reference = TinyData.samples(40, 62);
    private final UnlearningTask task = new UnlearningTask(train.first(12),
            train.with(train.samples().subList(12, 60)), reference, 3);
    private final UnlearningSettings settings = new UnlearningSettings(4, 1e-2, 0.5, 16, true,
            ForgetObjective.MATCH_LOG, StopRule.BUDGET, 20);

    @ParameterizedTest
    @ValueSource(strings = {"orthograd", "orthograd-global", "ga", "neggrad-plus", "finetune"})
    void everyMethodChangesTheDenseLayersOnlyAndItsLastCheckIsTheFullModels(String method) {
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 11)) {
            ParameterSubset dense = net.parameterSubset(DENSE);
            float[] before = net.parameters();
            List<Integer> observed = new ArrayList<>();
            UnlearningResult r = create(method).unlearn(net, task, (step, model) -> {
                // The observer sees the full model with the head's latest weights.
                assertThat(model).isSameAs(net);
                observed.add(step);
            });
            float[] after = net.parameters();

            assertThat(r.steps()).isEqualTo(4);
            assertThat(observed).containsExactly(1, 2, 3, 4);
            assertThat(Vectors.norm(dense.gather(Vectors.combine(1, after, -1, before)))).isGreaterThan(0);
            int headStart = dense.fullLayout().get(0).offset();
            for (int i = 0; i < headStart; i++) {
                assertThat(after[i]).as("convolution parameter %d", i).isEqualTo(before[i]);
            }
            // The check after the last step, made on cached activations, is what the full model now says.
            double[] full = net.predict(task.forget()).losses();
            for (int i = 0; i < full.length; i++) {
                assertThat(r.last().forgetLosses()[i]).isCloseTo(full[i], within(1e-4 * (1 + full[i])));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"orthograd", "neggrad-plus"})
    void onTheHeadTheAnchorRefreshesEveryReferenceLossEachStep(String method) {
        // More reference images than the full model's anchor batch (64) takes per step.
        SampleSet wide = TinyData.samples(100, 63);
        UnlearningTask t = new UnlearningTask(task.forget(), task.retain(), wide, 3);
        try (Network net = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 12);
             Network oneStep = net.copy()) {
            UnlearningResult two = create(method, 2).unlearn(net, t, Unlearner.StepObserver.NONE);
            create(method, 1).unlearn(oneStep, t, Unlearner.StepObserver.NONE);

            // Step 2's anchor pass saw the model after step 1, on every reference image.
            double[] afterStepOne = oneStep.predict(wide).losses();
            for (int i = 0; i < wide.size(); i++) {
                assertThat(two.last().referenceLosses()[i]).as("reference loss %d", i)
                        .isCloseTo(afterStepOne[i], within(1e-4 * (1 + afterStepOne[i])));
            }
        }
    }

    private StepwiseUnlearner create(String method) {
        return create(method, settings.maxSteps());
    }

    private StepwiseUnlearner create(String method, int steps) {
        UnlearningSettings settings = new UnlearningSettings(steps, this.settings.learningRate(), this.settings.alpha(),
                this.settings.retainBatchSize(), true, this.settings.objective(), StopRule.BUDGET, this.settings.anchor());
        return switch (method) {
            case "orthograd" -> new OrthoGrad(settings, ProjectionMode.PER_TENSOR, DENSE);
            case "orthograd-global" -> new OrthoGrad(settings, ProjectionMode.GLOBAL, DENSE);
            case "ga" -> new GradientAscent(settings, DENSE);
            case "neggrad-plus" -> new NegGradPlus(settings, DENSE);
            case "finetune" -> new RetainFineTune(settings, DENSE);
            default -> throw new IllegalArgumentException(method);
        };
    }
}
