package dev.lethe.core.model;

import ai.djl.Device;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.testing.TinyData;
import dev.lethe.core.unlearn.ForgetObjective;
import dev.lethe.core.unlearn.OrthoGrad;
import dev.lethe.core.unlearn.ProjectionMode;
import dev.lethe.core.unlearn.StopRule;
import dev.lethe.core.unlearn.UnlearningResult;
import dev.lethe.core.unlearn.UnlearningSettings;
import dev.lethe.core.unlearn.UnlearningTask;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * A model made by real PyTorch 1.13 ({@code scripts/pytorch/train_fashion_bn.py}: three
 * convolutions with BatchNorm, a dense head, {@code embed}/{@code classify} exported), loaded,
 * unlearned and written back. {@link TorchScriptPyTorchParityTest} opens the output in PyTorch.
 */
class TorchScriptNetworkTest {

    static final int[] SHAPE = {1, 28, 28};
    static final String HEAD = "^head\\.";
    private final SampleSet samples = TinyData.samples(40, 71);

    static byte[] fixture() throws IOException {
        try (InputStream in = TorchScriptNetworkTest.class.getResourceAsStream("/pytorch/fashion-bn.pt")) {
            return in.readAllBytes();
        }
    }

    static Network load() throws IOException {
        return Network.ofTorchScript(TorchScriptModule.load(fixture(), Device.cpu()), SHAPE, 10);
    }

    @Test
    void tensorsKeepTheirPyTorchNamesAndTheModuleRunsInEvalMode() throws IOException {
        try (Network net = load()) {
            assertThat(net.isTorchScript()).isTrue();
            assertThat(net.layout().stream().map(Network.ParameterSlice::name).toList())
                    .startsWith("body.0.weight", "body.0.bias", "body.1.weight")
                    .endsWith("head.0.weight", "head.0.bias", "head.2.weight", "head.2.bias");
            // Eval mode: one sample's prediction does not depend on the batch it is in (BatchNorm's
            // running statistics, not the batch's), and predicting twice changes nothing.
            double[] batch = net.predict(samples).losses();
            double[] alone = net.predict(samples.first(1)).losses();
            assertThat(alone[0]).isCloseTo(batch[0], within(1e-5));
            assertThat(net.predict(samples).losses()).containsExactly(batch);
        }
    }

    @Test
    void aModuleThatDoesNotFitTheConfiguredShapeOrClassesIsRefusedWithTheReason() throws IOException {
        TorchScriptModule module = TorchScriptModule.load(fixture(), Device.cpu());
        try {
            assertThatThrownBy(() -> Network.ofTorchScript(module, new int[] {3, 32, 32}, 10))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("does not take inputs of shape [3, 32, 32]");
            assertThatThrownBy(() -> Network.ofTorchScript(module, SHAPE, 5))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected (2, 5) logits");
        } finally {
            module.close();
        }
        assertThatThrownBy(() -> TorchScriptModule.load(new byte[] {1, 2, 3, 4, 5}, Device.cpu()))
                .hasMessageContaining("not a TorchScript file");
    }

    @Test
    void theHeadPatternTakesTheFastPathWithAFactoredDenseHeadAndEverythingElseTheLoop() throws IOException {
        try (Network net = load()) {
            assertThat(TorchScriptSplit.pathOf(net, net.parameterSubset(HEAD)))
                    .isEqualTo(TorchScriptSplit.Path.EMBED_DENSE_HEAD);
            assertThat(TorchScriptSplit.pathOf(net, net.parameterSubset("^head\\.2\\.")))
                    .isEqualTo(TorchScriptSplit.Path.EMBED_DENSE_HEAD);
            assertThat(TorchScriptSplit.pathOf(net, net.parameterSubset(".*")))
                    .isEqualTo(TorchScriptSplit.Path.FULL_FORWARD_LOOP);
            assertThat(TorchScriptSplit.pathOf(net, net.parameterSubset("^body\\.7\\.")))
                    .isEqualTo(TorchScriptSplit.Path.FULL_FORWARD_LOOP);
        }
    }

    @Test
    void theFastPathsGradientsAreTheFullModulesGradients() throws IOException {
        try (Network net = load()) {
            ParameterSubset head = net.parameterSubset(HEAD);
            try (FrozenPrefix split = FrozenPrefix.of(net, head).orElseThrow()) {
                assertThat(split.featureShape()).containsExactly(288);
                SampleSet features = split.features(samples);
                float[][] fast = split.head().perSampleGradients(features.first(6), split.head().parameterSubset(HEAD));
                float[][] loop = net.perSampleGradientsByLoop(samples.first(6), head);
                for (int i = 0; i < 6; i++) {
                    for (int j = 0; j < loop[i].length; j++) {
                        assertThat((double) fast[i][j]).isCloseTo(loop[i][j], within(1e-4 * (1 + Math.abs(loop[i][j]))));
                    }
                }
            }
        }
    }

    @Test
    void unlearningTheHeadChangesOnlyTheHeadAndTheCopyIsIndependent() throws IOException {
        UnlearningSettings settings = new UnlearningSettings(3, 1e-2, 0.5, 8, true, ForgetObjective.MATCH_LOG,
                StopRule.BUDGET, 20);
        try (Network original = load(); Network net = original.copy()) {
            float[] before = net.parameters();
            UnlearningTask task = new UnlearningTask(samples.first(8), samples.with(samples.samples().subList(8, 40)),
                    TinyData.samples(20, 72), 5);
            UnlearningResult r = new OrthoGrad(settings, ProjectionMode.GLOBAL, HEAD).unlearn(net, task, (s, m) -> { });
            assertThat(r.steps()).isEqualTo(3);
            float[] after = net.parameters();
            ParameterSubset head = net.parameterSubset(HEAD);
            int changed = 0;
            for (Network.ParameterSlice s : net.layout()) {
                boolean same = true;
                for (int i = s.offset(); i < s.offset() + s.size(); i++) {
                    same &= Float.floatToRawIntBits(after[i]) == Float.floatToRawIntBits(before[i]);
                }
                if (!head.names().contains(s.name())) {
                    assertThat(same).as("%s is not selected and stays bit-identical", s.name()).isTrue();
                } else if (!same) {
                    changed++;
                }
            }
            assertThat(changed).isPositive();
            assertThat(original.parameters()).as("the original is untouched").containsExactly(before);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            net.torchScript().write(out);
            byte[] written = out.toByteArray();
            assertThat(new String(written, 0, 2, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PK");
            try (Network reread = Network.ofTorchScript(TorchScriptModule.load(written, Device.cpu()), SHAPE, 10)) {
                assertThat(reread.parameters()).containsExactly(after);
                assertThat(reread.predict(samples).losses()).containsExactly(net.predict(samples).losses());
            }
        }
    }

    @Test
    void aFileWithDjlsHeaderIsReadAsTheTorchScriptBehindIt() throws IOException {
        byte[] plain = fixture();
        byte[] header = "DJL@\u0000\u0000\u0000\u0001some header".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] withHeader = new byte[header.length + plain.length];
        System.arraycopy(header, 0, withHeader, 0, header.length);
        System.arraycopy(plain, 0, withHeader, header.length, plain.length);
        assertThat(TorchScriptModule.isTorchScript(withHeader)).isTrue();
        try (Network a = Network.ofTorchScript(TorchScriptModule.load(withHeader, Device.cpu()), SHAPE, 10);
             Network b = load()) {
            assertThat(a.parameters()).containsExactly(b.parameters());
            assertThat(List.of(a.describe())).containsExactly("torchscript");
        }
    }
}
