package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarkdownReportTest {

    private static String lineOf(String markdown, String startsWith) {
        return markdown.lines().filter(l -> l.startsWith(startsWith)).findFirst().orElseThrow();
    }

    @Test
    void theHeadingNamesTheSetting() {
        String md = MarkdownReport.toMarkdown(SampleReports.full());

        assertThat(md).startsWith("## Unlearning benchmark: fashion-mnist, seed 1");
        assertThat(md).contains("train 2000", "forget 100", "retain 100", "holdout 1000", "validation 200",
                "27,562 parameters", "mlp-784-32-32-10", "device cpu");
        assertThat(md).contains("Original model: FA 1.0000 · RA 1.0000 · TA 0.8400 · MIA AUC 0.7100");
    }

    @Test
    void theComparisonTableHasTheDocumentedColumnsAndOneRowPerMethod() {
        String md = MarkdownReport.toMarkdown(SampleReports.full());

        assertThat(md).contains(
                "| method | FA | RA | TA | MIA AUC [95 % CI] | UIS | avgGap | steps | seconds | stop |");
        assertThat(lineOf(md, "| orthograd |")).isEqualTo(
                "| orthograd | 0.8535 | 0.9700 | 0.8312 | 0.5349 [0.4749, 0.5949] | 0.0712 | **0.0212** "
                        + "| 40 | 0.91 | plateau |");
        assertThat(md).contains("| ga |", "| neggrad-plus |", "| finetune |", "| retrain |",
                "| orthograd-global |");
    }

    @Test
    void onlyTheSmallestAvgGapAmongTheApproximateMethodsIsBold() {
        String md = MarkdownReport.toMarkdown(SampleReports.withoutSweep());

        assertThat(md.split("\\*\\*", -1)).hasSize(3);
        assertThat(lineOf(md, "| orthograd |")).contains("**0.0212**");
        assertThat(lineOf(md, "| retrain |")).contains("| 0.0000 |").doesNotContain("**");
        assertThat(md).doesNotContain("Retain-size sweep");
    }

    @Test
    void theSweepTableHasOneColumnPerRetainSizeAndBoldsTheBestApproximateMethodInEach() {
        String md = MarkdownReport.toMarkdown(SampleReports.full());
        String sweep = md.substring(md.indexOf("### Retain-size sweep: avgGap"));

        assertThat(sweep).contains("| method | 20 (1 %) | 100 (5 %) | 400 (20 %) |");
        assertThat(lineOf(sweep, "| orthograd |")).isEqualTo("| orthograd | 0.0500 | **0.0212** | 0.0150 |");
        assertThat(lineOf(sweep, "| neggrad-plus |"))
                .isEqualTo("| neggrad-plus | **0.0410** | 0.0300 | **0.0120** |");
        assertThat(lineOf(sweep, "| retrain |")).isEqualTo("| retrain | 0.0000 | 0.0000 | 0.0000 |");
        assertThat(md).contains("### Retain-size sweep: test accuracy / MIA AUC");
        assertThat(md).contains("| finetune | 0.8400 / 0.6600 | 0.8400 / 0.6600 | 0.8400 / 0.6600 |");
    }

    @Test
    void percentagesAreCompact() {
        assertThat(MarkdownReport.percent(0.01)).isEqualTo("1 %");
        assertThat(MarkdownReport.percent(0.005)).isEqualTo("0.5 %");
        assertThat(MarkdownReport.percent(0.125)).isEqualTo("12.5 %");
    }

    @Test
    void writeStoresTheMarkdown(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/report.md");

        MarkdownReport.write(SampleReports.full(), file);

        assertThat(Files.readString(file)).isEqualTo(MarkdownReport.toMarkdown(SampleReports.full()));
    }
}
