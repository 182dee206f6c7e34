package dev.lethe.core.model;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.testing.RealPyTorch;
import dev.lethe.core.testing.TinyData;
import dev.lethe.core.unlearn.ForgetObjective;
import dev.lethe.core.unlearn.OrthoGrad;
import dev.lethe.core.unlearn.ProjectionMode;
import dev.lethe.core.unlearn.StopRule;
import dev.lethe.core.unlearn.UnlearningSettings;
import dev.lethe.core.unlearn.UnlearningTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lethe's output opened where its users open it: real PyTorch 1.13 loads the version Lethe wrote
 * and computes the same logits on 100 inputs, finds every tensor outside {@code ^head\.} and every
 * buffer bit-identical to the original's, and can still call {@code embed} and {@code classify}.
 */
class TorchScriptPyTorchParityTest {

    @TempDir
    Path tmp;

    @Test
    void pytorchOpensLethesVersionAndAgreesWithItBitForBitOutsideTheHead() throws IOException {
        RealPyTorch.assume();
        Path original = tmp.resolve("original.pt");
        Files.write(original, TorchScriptNetworkTest.fixture());
        SampleSet train = TinyData.samples(60, 81);
        SampleSet inputs = TinyData.samples(100, 82);
        UnlearningSettings settings = new UnlearningSettings(5, 1e-2, 0.5, 16, true, ForgetObjective.MATCH_LOG,
                StopRule.BUDGET, 20);
        Path version = tmp.resolve("v2.pt");
        try (Network net = TorchScriptNetworkTest.load()) {
            new OrthoGrad(settings, ProjectionMode.GLOBAL, TorchScriptNetworkTest.HEAD).unlearn(net,
                    new UnlearningTask(train.first(10), train.with(train.samples().subList(10, 60)),
                            TinyData.samples(30, 83), 9), (s, m) -> { });
            try (OutputStream out = Files.newOutputStream(version)) {
                ModelFiles.write(net, out);
            }
            writeFloats(tmp.resolve("inputs.f32"), flatten(inputs));
            try (NDManager scope = net.manager().newSubManager()) {
                writeFloats(tmp.resolve("logits.f32"),
                        net.torchScript().run("forward", net.input(scope, inputs.samples()), false).toFloatArray());
            }
        }

        JsonNode report = RealPyTorch.checkVersion("--original", original.toString(), "--version", version.toString(),
                "--inputs", tmp.resolve("inputs.f32").toString(), "--logits", tmp.resolve("logits.f32").toString());

        assertThat(report.get("inputs").asInt()).isEqualTo(100);
        assertThat(report.get("maxLogitDifference").asDouble()).isLessThanOrEqualTo(1e-4);
        assertThat(report.get("sameParameterNames").asBoolean()).isTrue();
        assertThat(report.get("buffersIdentical").asBoolean()).as("BatchNorm running statistics").isTrue();
        List<String> changed = names(report.get("changedParameters"));
        assertThat(changed).isNotEmpty().allMatch(n -> n.startsWith("head."));
        assertThat(names(report.get("identicalParameters"))).filteredOn(n -> n.startsWith("body."))
                .hasSize(12);
        assertThat(report.get("embedClassifyCallable").asBoolean()).isTrue();
        assertThat(report.get("classifyOfEmbedEqualsForward").asBoolean()).isTrue();
        assertThat(report.get("training").asBoolean()).as("saved in eval mode").isFalse();
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static float[] flatten(SampleSet set) {
        int width = set.get(0).features().length;
        float[] out = new float[set.size() * width];
        for (int i = 0; i < set.size(); i++) {
            System.arraycopy(set.get(i).features(), 0, out, i * width, width);
        }
        return out;
    }

    private static void writeFloats(Path file, float[] values) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        Files.write(file, buffer.array());
    }
}
