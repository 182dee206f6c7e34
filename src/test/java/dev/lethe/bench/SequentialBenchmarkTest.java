package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.unlearn.ForgetObjective;
import dev.lethe.core.unlearn.StopRule;
import dev.lethe.core.unlearn.UnlearningSettings;
import dev.lethe.core.unlearn.VerifiedUnlearning;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A short sequential run on generated data: real training, the daemon's unlearning and gate, real retrains. */
class SequentialBenchmarkTest {

    @Test
    void erasuresAreAppliedOneBatchAtATimeAndComparedWithARetrainEveryFewBatches() throws Exception {
        SequentialConfig config = new SequentialConfig("synthetic", Path.of("unused"), 200, 0.05, 6, 1, 3, 3, 4, 3,
                60, 100, 100, Architecture.MLP, "cpu", 3, new TrainingRecipe(15, 32, 2e-3, 1e-4),
                new UnlearningSettings(10, 1e-3, 0.5, 16, true, ForgetObjective.MATCH_LOG, StopRule.INDISTINGUISHABLE, 20),
                "Linear", VerifiedUnlearning.Gate.absolute(0.6, 0.05, 0.05));
        List<SequentialReport> partials = new ArrayList<>();
        List<String> log = new ArrayList<>();
        SequentialReport report = new SequentialBenchmark(config, log::add, partials::add).run();

        int batches = report.batchSamples().size();
        int erased = report.batchSamples().stream().mapToInt(Integer::intValue).sum();
        assertThat(batches).isGreaterThanOrEqualTo(6);
        assertThat(erased).isGreaterThanOrEqualTo(10); // 5 % of 200
        assertThat(report.batchSubjects().get(2)).isEqualTo(4); // every third batch is large
        assertThat(report.batchSubjects().get(0)).isEqualTo(1);
        assertThat(report.checkpoints()).extracting(SequentialReport.Checkpoint::batches)
                .startsWith(3, 6).last().isEqualTo(batches);
        assertThat(partials).hasSameSizeAs(report.checkpoints());
        SequentialReport.Checkpoint last = report.checkpoints().get(report.checkpoints().size() - 1);
        assertThat(last.erasedSamples()).isEqualTo(erased);
        assertThat(last.erasedFraction()).isEqualTo(erased / 200.0);
        assertThat(last.earliestSize()).isEqualTo(Math.max(2, Math.round(0.1f * erased)));
        assertThat(last.avgGap()).isEqualTo(BenchmarkRunner.avgGap(last.model(), last.oracle()));
        assertThat(last.taGap()).isEqualTo(last.model().testAcc() - last.oracle().testAcc());
        assertThat(last.earliestMiaGap()).isEqualTo(Math.abs(last.earliestMia() - last.earliestOracleMia()));
        // The oracle never saw the erased samples; the original did, and remembers them better.
        assertThat(last.original().forgetAcc()).isGreaterThanOrEqualTo(last.oracle().forgetAcc());
        assertThat(last.oracleSeconds()).isPositive();
        assertThat(log).anyMatch(l -> l.startsWith("batch 1:"));

        JsonNode json = new ObjectMapper().readTree(SequentialReports.toJson(report));
        JsonNode c = json.get("checkpoints").get(0);
        for (String key : List.of("batches", "erasedFraction", "avgGap", "taGap", "earliestMiaGap", "model", "oracle")) {
            assertThat(c.has(key)).as(key).isTrue();
        }
        assertThat(json.get("batchSamples")).hasSize(batches);
        assertThat(SequentialReports.toMarkdown(report)).contains("| " + batches + " | " + erased + " (");
        BufferedImage png = SequentialPlot.draw(report);
        assertThat(png.getWidth()).isEqualTo(SequentialPlot.WIDTH);
    }
}
