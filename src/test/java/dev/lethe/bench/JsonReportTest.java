package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonReportTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode parse(BenchmarkReport report) throws Exception {
        return MAPPER.readTree(JsonReport.toJson(report));
    }

    @Test
    void theTopLevelCarriesTheSettingUnderTheDocumentedKeys() throws Exception {
        JsonNode json = parse(SampleReports.full());

        assertThat(json.get("dataset").asText()).isEqualTo("fashion-mnist");
        assertThat(json.get("seed").asLong()).isEqualTo(1);
        assertThat(json.get("trainSize").asInt()).isEqualTo(2000);
        assertThat(json.get("forgetSize").asInt()).isEqualTo(100);
        assertThat(json.get("retainSize").asInt()).isEqualTo(100);
        assertThat(json.get("holdoutSize").asInt()).isEqualTo(1000);
        assertThat(json.get("validationSize").asInt()).isEqualTo(200);
        assertThat(json.get("parameters").asLong()).isEqualTo(27562);
        assertThat(json.get("architecture").asText()).isEqualTo("mlp-784-32-32-10");
        assertThat(json.get("device").asText()).isEqualTo("cpu");
    }

    @Test
    void theTensorsTheStepWiseMethodsUnlearnedAreListedEmptyMeaningAll() throws Exception {
        BenchmarkReport all = SampleReports.full();
        assertThat(parse(all).get("unlearnedParameters").asLong()).isEqualTo(27562);
        assertThat(parse(all).get("unlearnedTensors")).isEmpty();

        BenchmarkReport head = new BenchmarkReport(all.dataset(), all.seed(), all.trainSize(), all.forgetSize(),
                all.retainSize(), all.holdoutSize(), all.validationSize(), all.parameters(), all.architecture(),
                all.device(), all.original(), all.originalSeconds(), all.results(), all.retainSweep(), 330,
                List.of("04Linear_weight", "04Linear_bias"));
        JsonNode json = parse(head);
        assertThat(json.get("unlearnedParameters").asLong()).isEqualTo(330);
        assertThat(json.get("unlearnedTensors")).extracting(JsonNode::asText)
                .containsExactly("04Linear_weight", "04Linear_bias");
        assertThat(MarkdownReport.toMarkdown(head)).contains("step-wise methods unlearn 330 parameters (04Linear_weight, 04Linear_bias)");
    }

    @Test
    void theOriginalModelIsAFlatObjectWithRoundedValuesAndNullForNaN() throws Exception {
        JsonNode original = parse(SampleReports.full()).get("original");

        assertThat(original.get("forgetAcc").asDouble()).isEqualTo(1.0);
        assertThat(original.get("retainAcc").asDouble()).isEqualTo(1.0);
        assertThat(original.get("testAcc").asDouble()).isEqualTo(0.84);
        assertThat(original.get("miaAuc").asDouble()).isEqualTo(0.71);
        assertThat(original.get("miaAucLow").asDouble()).isEqualTo(0.6512);
        assertThat(original.get("miaAucHigh").isNull()).isTrue();
        assertThat(original.get("seconds").asDouble()).isEqualTo(12.346);
    }

    @Test
    void eachResultIsFlatWithTheRequiredKeysRoundedToFourDecimalsAndSecondsToThree() throws Exception {
        JsonNode results = parse(SampleReports.full()).get("results");
        assertThat(results.isArray()).isTrue();
        assertThat(results).hasSize(6);

        JsonNode orthograd = results.get(0);
        assertThat(orthograd.get("method").asText()).isEqualTo("orthograd");
        assertThat(orthograd.get("forgetAcc").asDouble()).isEqualTo(0.8535);
        assertThat(orthograd.get("retainAcc").asDouble()).isEqualTo(0.97);
        assertThat(orthograd.get("testAcc").asDouble()).isEqualTo(0.8312);
        assertThat(orthograd.get("miaAuc").asDouble()).isEqualTo(0.5349);
        assertThat(orthograd.get("miaAucLow").asDouble()).isEqualTo(0.4749);
        assertThat(orthograd.get("miaAucHigh").asDouble()).isEqualTo(0.5949);
        assertThat(orthograd.get("uis").asDouble()).isEqualTo(0.0712);
        assertThat(orthograd.get("avgGap").asDouble()).isEqualTo(0.0212);
        assertThat(orthograd.get("steps").asInt()).isEqualTo(40);
        assertThat(orthograd.get("seconds").asDouble()).isEqualTo(0.912);
        assertThat(orthograd.get("stopReason").asText()).isEqualTo("plateau");
    }

    @Test
    void hyperparametersAreAnObjectWithNonFiniteValuesAsNull() throws Exception {
        JsonNode hp = parse(SampleReports.full()).get("results").get(0).get("hyperparameters");

        assertThat(hp.isObject()).isTrue();
        assertThat(hp.get("lr").asDouble()).isEqualTo(0.01);
        assertThat(hp.get("batch").isIntegralNumber()).isTrue();
        assertThat(hp.get("batch").asInt()).isEqualTo(32);
        assertThat(hp.get("plateau").isNull()).isTrue();
    }

    @Test
    void theTraceListsStepForgetTestAndMiaPerEvaluatedStep() throws Exception {
        JsonNode trace = parse(SampleReports.full()).get("results").get(0).get("trace");

        assertThat(trace).hasSize(21);
        JsonNode first = trace.get(0);
        assertThat(first.get("step").asInt()).isZero();
        assertThat(first.get("forgetAcc").asDouble()).isEqualTo(1.0);
        assertThat(first.get("testAcc").asDouble()).isEqualTo(0.84);
        assertThat(first.get("miaAuc").asDouble()).isEqualTo(0.71);
        assertThat(trace.get(20).get("step").asInt()).isEqualTo(40);
    }

    @Test
    void theRetainSweepHoldsOneEntryPerSizeWithResultsButNoTraces() throws Exception {
        JsonNode sweep = parse(SampleReports.full()).get("retainSweep");

        assertThat(sweep).hasSize(3);
        JsonNode first = sweep.get(0);
        assertThat(first.get("retainSize").asInt()).isEqualTo(20);
        assertThat(first.get("retainFraction").asDouble()).isEqualTo(0.01);
        assertThat(first.get("results")).hasSize(4);
        assertThat(first.get("results").get(0).get("avgGap").asDouble()).isEqualTo(0.05);
        assertThat(first.get("results").get(0).has("trace")).isFalse();
    }

    @Test
    void noNumberInTheDocumentIsWrittenAsNaN() {
        String json = JsonReport.toJson(SampleReports.full());

        assertThat(json).doesNotContain("NaN").doesNotContain("Infinity");
    }

    @Test
    void writeReplacesTheFileAndLeavesNoTemporaryFileBehind(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("report.json");
        Files.writeString(file, "stale");

        JsonReport.write(SampleReports.full(), file);

        assertThat(MAPPER.readTree(file.toFile()).get("dataset").asText()).isEqualTo("fashion-mnist");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).isEqualTo(List.of("report.json"));
        }
    }
}
