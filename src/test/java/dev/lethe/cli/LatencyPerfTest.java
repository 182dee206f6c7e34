package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.perf.Figure;
import dev.lethe.perf.PerfReport;
import dev.lethe.perf.PerfRunner;
import dev.lethe.daemon.demo.RequestLatencyProbe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LatencyPerfTest {

    @Test
    void theProbesResultBecomesFiguresOfTheLatencySection() {
        double[] latencies = {1.0, 2.0, 3.0, 4.0, 10.0};
        RequestLatencyProbe.Result result = new RequestLatencyProbe.Result(5, 2.0,
                RequestLatencyProbe.percentile(latencies, 0.5), RequestLatencyProbe.percentile(latencies, 0.95), 10.0,
                5, 2, Duration.ofSeconds(2), 200, latencies);

        Map<String, Figure> byName = LatencyPerf.figures(result).stream()
                .collect(Collectors.toMap(Figure::name, Function.identity()));

        assertThat(byName).containsKeys("latency.request_to_audit_s", "latency.p50_s", "latency.p95_s", "latency.max_s",
                "latency.requests", "latency.rate_per_s", "latency.versions", "latency.linger_s");
        assertThat(byName.values()).allMatch(f -> f.section().equals(PerfRunner.LATENCY_SECTION));
        assertThat(byName.get("latency.request_to_audit_s").stats().n()).isEqualTo(5);
        assertThat(byName.get("latency.request_to_audit_s").stats().median()).isEqualTo(3.0);
        assertThat(byName.get("latency.p50_s").stats().median()).isEqualTo(3.0);
        assertThat(byName.get("latency.p95_s").stats().median()).isEqualTo(10.0);
        assertThat(byName.get("latency.versions").stats().median()).isEqualTo(2.0);
        assertThat(byName.get("latency.linger_s").stats().median()).isEqualTo(2.0);
        String markdown = new PerfReport(Map.of(), LatencyPerf.figures(result), Map.of(), List.of()).toMarkdown();
        assertThat(markdown).contains("### " + PerfRunner.LATENCY_SECTION, "| p95 (nearest rank) | 10.0 s |");
    }

    @Test
    void lingerAcceptsTheConfigsDurationSpellings() {
        assertThat(PerfCommand.parseDuration("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(PerfCommand.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(PerfCommand.parseDuration("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(PerfCommand.parseDuration("PT3S")).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> PerfCommand.parseDuration("soon")).isInstanceOf(RuntimeException.class);
    }
}
