package dev.lethe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusMainTest
class BenchCommandTest {

    @Test
    @Launch({"bench", "--help"})
    void benchHelpListsTheMethodsAndTheOutputs(LaunchResult result) {
        assertThat(result.getOutput()).contains("--methods", "orthograd-global", "--retain-sweep", "--json", "--plot");
    }

    @Test
    void benchOnGeneratedDataWritesJsonMarkdownAndPlot(QuarkusMainLauncher launcher, @TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        Path markdown = dir.resolve("bench.md");
        Path plot = dir.resolve("bench.png");
        LaunchResult result = launcher.launch("bench", "--dataset", "synthetic", "--train-size", "300",
                "--forget-size", "30", "--retain-size", "30", "--validation-size", "100", "--holdout-size", "100",
                "--epochs", "6", "--max-steps", "4", "--lr-grid", "1e-3", "--alpha-grid", "0.5",
                "--json", json.toString(), "--markdown", markdown.toString(), "--plot", plot.toString());

        assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.get("dataset").asText()).isEqualTo("synthetic");
        assertThat(report.get("results")).hasSize(6);
        assertThat(report.get("original").get("testAcc").asDouble()).isBetween(0.0, 1.0);
        for (JsonNode model : java.util.List.of(report.get("original"), report.get("results").get(0))) {
            for (String attack : java.util.List.of("loss", "rmia", "probe")) {
                JsonNode a = model.get("attacks").get(attack);
                assertThat(a).as(attack).isNotNull();
                assertThat(a.get("aucLow").asDouble()).isLessThanOrEqualTo(a.get("auc").asDouble())
                        .isGreaterThanOrEqualTo(0.0);
                assertThat(a.get("aucHigh").asDouble()).isGreaterThanOrEqualTo(a.get("auc").asDouble());
                assertThat(a.get("tprAt01pctFpr").asDouble()).isLessThanOrEqualTo(a.get("tprAt1pctFpr").asDouble());
            }
        }
        assertThat(Files.readString(markdown)).contains("| method |");
        assertThat(Files.size(plot)).isPositive();
        assertThat(result.getOutput()).contains("orthograd");
    }

    @Test
    @Launch(value = {"bench", "--dataset", "fashion-mnist", "--data-dir", "/nonexistent"}, exitCode = 2)
    void missingFashionMnistNamesTheDebianPackage(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("dataset-fashion-mnist", "--dataset synthetic");
    }
}
