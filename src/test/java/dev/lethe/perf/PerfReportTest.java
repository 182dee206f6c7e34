package dev.lethe.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PerfReportTest {

    @Test
    void statsGiveTheMedianQuartilesAndRange() {
        Stats s = Stats.of(5, 1, 4, 2, 3);
        assertThat(s.median()).isEqualTo(3);
        assertThat(s.p25()).isEqualTo(2);
        assertThat(s.p75()).isEqualTo(4);
        assertThat(s.min()).isEqualTo(1);
        assertThat(s.max()).isEqualTo(5);
        assertThat(Stats.of(1, 2, 3, 4).median()).isEqualTo(2.5);
        assertThat(s.scale(1000).median()).isEqualTo(3000);
    }

    @Test
    void ratiosArePerRepetition() {
        assertThat(Timer.ratios(new double[] {2, 9}, new double[] {1, 3})).containsExactly(2, 3);
        double[][] t = Timer.interleaved(1, 4, () -> { }, () -> { });
        assertThat(t.length).isEqualTo(2);
        assertThat(t[0]).hasSize(4);
    }

    @Test
    void goalsJudgeTheMedian() {
        Figure met = new Figure("s", "a", "a", Stats.of(2, 3, 10), "×", Goal.atMost(3));
        Figure missed = new Figure("s", "b", "b", Stats.of(10_000), "requests/s", Goal.atLeast(20_000));
        Figure context = new Figure("s", "c", "c", Stats.of(1), "ms", null);
        assertThat(met.met()).isTrue();
        assertThat(missed.met()).isFalse();
        assertThat(context.met()).isNull();
    }

    @Test
    void jsonAndMarkdownCarryEveryFigureAndThePendingSection() throws Exception {
        PerfReport report = new PerfReport(Map.of("cpus", "2"),
                List.of(new Figure("gradients", "g.ratio", "per-sample / batched", Stats.of(1.5, 2.5, 2.0), "×", Goal.atMost(3))),
                Map.of("latency", "needs the daemon"), List.of("a note"));
        JsonNode json = new ObjectMapper().readTree(report.toJson());
        JsonNode f = json.get("figures").get(0);
        assertThat(f.get("name").asText()).isEqualTo("g.ratio");
        assertThat(f.get("median").asDouble()).isCloseTo(2.0, within(1e-9));
        assertThat(f.get("min").asDouble()).isCloseTo(1.5, within(1e-9));
        assertThat(f.get("met").asBoolean()).isTrue();
        assertThat(json.get("pending").get("latency").asText()).isEqualTo("needs the daemon");
        assertThat(report.toMarkdown()).contains("### gradients",
                "| per-sample / batched | 2.00 × | 1.75–2.25 | 1.50–2.50 | 3 | ≤ 3.00 | yes |",
                "latency — NOT MEASURED", "- a note");
    }
}
