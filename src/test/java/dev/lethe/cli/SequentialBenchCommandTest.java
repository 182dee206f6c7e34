package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@QuarkusMainTest
class SequentialBenchCommandTest {

    @Test
    void sequentialBenchOnGeneratedDataWritesCheckpointsAsJsonMarkdownAndPlot(QuarkusMainLauncher launcher,
            @TempDir Path dir) throws Exception {
        Path json = dir.resolve("seq.json");
        Path markdown = dir.resolve("seq.md");
        Path plot = dir.resolve("seq.png");
        LaunchResult result = launcher.launch("bench", "--sequential", "--dataset", "synthetic", "--train-size", "200",
                "--validation-size", "100", "--holdout-size", "100", "--architecture", "mlp", "--epochs", "6",
                "--max-steps", "5", "--erase-fraction", "0.02", "--min-batches", "4", "--checkpoint-every", "2",
                "--large-every", "3", "--sequential-retain", "50",
                "--json", json.toString(), "--markdown", markdown.toString(), "--plot", plot.toString());

        assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.get("batches").asInt()).isGreaterThanOrEqualTo(4);
        JsonNode checkpoints = report.get("checkpoints");
        assertThat(checkpoints.size()).isGreaterThanOrEqualTo(2);
        assertThat(checkpoints.get(0).get("batches").asInt()).isEqualTo(2);
        for (String key : new String[] {"erasedFraction", "avgGap", "taGap", "earliestMiaGap"}) {
            assertThat(checkpoints.get(0).get(key).isNumber()).as(key).isTrue();
        }
        assertThat(Files.readString(markdown)).contains("| batches | erased |");
        assertThat(Files.size(plot)).isPositive();
    }
}
