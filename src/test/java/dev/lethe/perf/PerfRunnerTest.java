package dev.lethe.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class PerfRunnerTest {

    @Test
    void theGradientSectionMeasuresFastPathLoopAndSubsetAgainstOneBatchedPass(@TempDir Path dir) throws Exception {
        PerfConfig config = new PerfConfig(List.of("gradients"), dir.resolve("no-data"), 0, 3, 8, null, 1, 1, 1,
                dir, List.of("cnn-small"), 1, 1000, 1);
        PerfReport report = new PerfRunner(config, Timer.quiet()).run();

        Map<String, Figure> byName = report.figures().stream().collect(Collectors.toMap(Figure::name, Function.identity()));
        assertThat(byName).containsKeys("gradients.cnn-small.fast_over_batched", "gradients.cnn-small.loop_over_batched",
                "gradients.cnn-small.subset_over_batched", "gradients.cnn-small.batched_ms");
        Figure fast = byName.get("gradients.cnn-small.fast_over_batched");
        assertThat(fast.goal()).isEqualTo(Goal.atMost(3));
        assertThat(fast.stats().n()).isEqualTo(3);
        assertThat(fast.stats().median()).isPositive();
        // B×P float32: 8 × 27,562 × 4 bytes; the subset (last two layers) is smaller.
        assertThat(byName.get("gradients.cnn-small.matrix_mib").stats().median())
                .isCloseTo(8 * 27_562 * 4 / 1048576.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(byName.get("gradients.cnn-small.subset_matrix_mib").stats().median())
                .isLessThan(byName.get("gradients.cnn-small.matrix_mib").stats().median());
        assertThat(report.environment().get("data")).contains("generated");
        // The latency section is the CLI's (it needs Kafka and the daemon): the core reports nothing for it.
        assertThat(report.pending()).doesNotContainKey(PerfRunner.LATENCY_SECTION);
        assertThat(report.sections()).doesNotContain(PerfRunner.LATENCY_SECTION);
    }

    @Test
    void theScaleSectionTimesUnlearningAgainstRetrainingAndSaysHowFarTheUnlearningWent(@TempDir Path dir) throws Exception {
        // Generated data: a pool of 4,000, so the "whole training split" is 1,000 samples here.
        PerfConfig config = new PerfConfig(List.of("scale"), dir.resolve("no-data"), 0, 1, 8, null, 1, 1, 1,
                dir, List.of("cnn-small"), 1, 57_000, 2);
        PerfReport report = new PerfRunner(config, Timer.quiet()).run();

        Map<String, Figure> byName = report.figures().stream().collect(Collectors.toMap(Figure::name, Function.identity()));
        Figure ratio = byName.get("scale.orthograd_over_retrain");
        assertThat(ratio.goal()).isEqualTo(Goal.atMost(1.0 / 50));
        assertThat(ratio.section()).contains("1,000 training samples").contains("2 epochs");
        assertThat(ratio.stats().median()).isCloseTo(
                byName.get("scale.orthograd_s").stats().median() / byName.get("scale.retrain_s").stats().median(),
                org.assertj.core.api.Assertions.within(1e-9));
        assertThat(report.notes()).anySatisfy(n -> assertThat(n).contains("steps (stop ").contains("MIA AUC")
                .contains("retrain"));
    }
}
