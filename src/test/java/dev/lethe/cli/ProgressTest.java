package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong now = new AtomicLong();

    private String[] lines() {
        return bytes.toString(StandardCharsets.UTF_8).split("\n");
    }

    @Test
    void finishedUnitsShowKOfNElapsedAndAnEtaFromTheAverageSoFar() {
        Progress p = new Progress("bench", 4, Pattern.compile("^  \\S+: \\d+ steps"), out, now::get);

        p.accept("loading Fashion-MNIST");
        now.addAndGet(30_000_000_000L);
        p.accept("  orthograd: 40 steps (stop rule met), 29.1 s");
        now.addAndGet(90_000_000_000L);
        p.accept("    tune ascent lr=0.001: 12 steps");
        p.accept("  ascent: 12 steps (budget), 80.0 s");

        assertThat(lines()).containsExactly(
                "[bench] loading Fashion-MNIST",
                "[bench] 1/4 25% 30s elapsed, ETA 1m30s · orthograd: 40 steps (stop rule met), 29.1 s",
                "[bench]     tune ascent lr=0.001: 12 steps",
                "[bench] 2/4 50% 2m00s elapsed, ETA 2m00s · ascent: 12 steps (budget), 80.0 s");
    }

    @Test
    void aGroupInThePatternSaysHowManyUnitsAreDone() {
        Progress p = new Progress("train", 60, Pattern.compile("^epoch (\\d+):"), out, now::get);

        now.addAndGet(10_000_000_000L);
        p.accept("epoch 10: mean loss 0.4000");

        assertThat(p.done()).isEqualTo(10);
        assertThat(lines()[0]).isEqualTo("[train] 10/60 16% 10s elapsed, ETA 50s · epoch 10: mean loss 0.4000");
        assertThat(Progress.duration(7325)).isEqualTo("2h02m");
    }

    @Test
    void aGroupThatHoldsNoNumberCountsOneUnitAsTheBenchsAlternativesDo() {
        // The bench's pattern once had a capturing group of alternatives: "original: " is no count.
        Progress p = new Progress("bench", 4, Pattern.compile("^(original: |  retrain: )"), out, now::get);

        p.accept("original: 60 epochs");
        p.accept("  retrain: 60 epochs");

        assertThat(p.done()).isEqualTo(2);
    }
}
