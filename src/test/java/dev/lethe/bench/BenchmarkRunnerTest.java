package dev.lethe.bench;

import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.unlearn.ForgetObjective;
import dev.lethe.core.unlearn.StopRule;
import dev.lethe.core.unlearn.UnlearningSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A whole benchmark on small generated data: real DJL training and unlearning, every method. */
class BenchmarkRunnerTest {

    @Test
    void everyMethodIsMeasuredAgainstTheRetrainOracleOnTheSameSplit() throws Exception {
        List<String> log = new ArrayList<>();
        BenchmarkConfig config = new BenchmarkConfig("synthetic", Path.of("unused"), 300, 30, 40, 200, 200,
                Architecture.CNN, "cpu", BenchmarkConfig.ALL_METHODS, 7,
                new TrainingRecipe(30, 32, 2e-3, 1e-4),
                new UnlearningSettings(15, 2e-3, 0.5, 16, true, ForgetObjective.MATCH, StopRule.INDISTINGUISHABLE),
                List.of(2e-3), List.of(0.5), true, List.of(0.05, 0.1), 5, 1, "train-pool");
        BenchmarkReport report = new BenchmarkRunner(config, log::add).run();

        assertThat(report.parameters()).isEqualTo(46_730);
        assertThat(report.forgetSize()).isGreaterThanOrEqualTo(30);
        assertThat(report.original().forgetAcc()).isGreaterThan(0.9);
        assertThat(report.results()).extracting(MethodResult::method).containsExactlyElementsOf(BenchmarkConfig.ALL_METHODS);
        for (MethodResult r : report.results()) {
            ModelMetrics m = r.metrics();
            assertThat(List.of(m.forgetAcc(), m.retainAcc(), m.testAcc(), m.miaAuc())).allSatisfy(
                    v -> assertThat(v).isBetween(0.0, 1.0));
            assertThat(m.miaAuc()).isBetween(m.miaAucLow(), m.miaAucHigh());
            assertThat(r.seconds()).isPositive();
            assertThat(r.trace()).isNotEmpty();
        }
        MethodResult retrain = report.results().get(report.results().size() - 1);
        assertThat(retrain.avgGap()).isZero();
        assertThat(retrain.metrics().forgetAcc()).isLessThan(report.original().forgetAcc());
        MethodResult ga = report.results().stream().filter(r -> r.method().equals("ga")).findFirst().orElseThrow();
        assertThat(ga.steps()).isBetween(1, 15);
        assertThat(report.retainSweep()).hasSize(2);
        assertThat(report.retainSweep().get(0).retainSize()).isEqualTo(15);
        assertThat(log).anyMatch(line -> line.contains("chose"));
    }
}
