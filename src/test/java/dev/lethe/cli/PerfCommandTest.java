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
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusMainTest
class PerfCommandTest {

    @Test
    @Launch({"perf", "--help"})
    void perfHelpListsTheSectionsAndTheOutputs(LaunchResult result) {
        assertThat(result.getOutput()).contains("--sections", "--params", "--json", "--markdown", "--index-samples",
                "--latency-requests", "--latency-rate", "--latency-linger", "--no-kafka");
    }

    @Test
    void aSmallRunMeasuresEveryRequestedSectionAndLeavesTheLatencyPending(QuarkusMainLauncher launcher, @TempDir Path dir)
            throws Exception {
        Path json = dir.resolve("perf.json");
        Path markdown = dir.resolve("perf.md");
        // No model sections here: PyTorch's natives load into one class loader per JVM, and
        // BenchCommandTest's launch owns that; PerfRunnerTest covers the gradient section.
        LaunchResult result = launcher.launch("perf", "--sections", "ingest,restart,latency",
                "--warmup", "0", "--repetitions", "3",
                "--requests", "3000", "--index-samples", "2000", "--no-kafka", "--work-dir", dir.toString(),
                "--json", json.toString(), "--markdown", markdown.toString());

        assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        List<String> names = new ArrayList<>();
        report.get("figures").forEach(f -> names.add(f.get("name").asText()));
        assertThat(names).contains("ingest.requests_per_s", "restart.ready_s",
                "restart.index_ready_s", "restart.pools_s", "restart.full_scan_ready_s");
        report.get("figures").forEach(f -> {
            assertThat(f.get("median").asDouble()).as(f.get("name").asText()).isPositive();
            assertThat(f.get("min").asDouble()).isLessThanOrEqualTo(f.get("max").asDouble());
        });
        // --no-kafka: the latency section (broker + daemon) is named as not measured, with why.
        assertThat(report.get("pending").fieldNames().next()).contains("latency");
        assertThat(report.get("pending").elements().next().asText()).contains("--no-kafka");
        assertThat(Files.readString(markdown)).contains("NOT MEASURED", "| figure | median |");
    }

    @Test
    void theKafkaIngestFigureGoesThroughTheDaemonsOwnCoordinator(QuarkusMainLauncher launcher, @TempDir Path dir)
            throws Exception {
        Path json = dir.resolve("perf.json");
        LaunchResult result = launcher.launch("perf", "--sections", "ingest", "--warmup", "0", "--repetitions", "3",
                "--requests", "3000", "--index-samples", "2000", "--work-dir", dir.toString(), "--json", json.toString());

        assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
        JsonNode kafka = null;
        for (JsonNode f : new ObjectMapper().readTree(json.toFile()).get("figures")) {
            if (f.get("name").asText().equals("ingest.kafka_requests_per_s")) {
                kafka = f;
            }
        }
        assertThat(kafka).as("the Kafka ingest figure").isNotNull();
        assertThat(kafka.get("median").asDouble()).isPositive();
        assertThat(result.getErrorOutput()).contains("kafka ingest: pass 3");
    }
}
