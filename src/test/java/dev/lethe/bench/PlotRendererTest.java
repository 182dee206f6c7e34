package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotRendererTest {

    /** Set -Dlethe.plotSample=/some/file.png to keep a rendering of the sample report for a look. */
    private static final String SAMPLE_PROPERTY = "lethe.plotSample";

    @Test
    void renderWritesAPngOfTheExpectedSizeWithSeveralDistinctColours(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("plot.png");

        PlotRenderer.render(SampleReports.full(), png);

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(PlotRenderer.WIDTH);
        assertThat(image.getHeight()).isEqualTo(PlotRenderer.HEIGHT);
        Map<Integer, Integer> counts = colourCounts(image);
        long prominent = counts.values().stream().filter(n -> n >= 200).count();
        assertThat(prominent).as("colours covering at least 200 pixels").isGreaterThanOrEqualTo(6);
        int white = counts.getOrDefault(0xFFFFFF, 0);
        assertThat(white).isLessThan(image.getWidth() * image.getHeight());

        String sample = System.getProperty(SAMPLE_PROPERTY);
        if (sample != null && !sample.isBlank()) {
            PlotRenderer.render(SampleReports.full(), Path.of(sample));
        }
    }

    @Test
    void theMethodColoursAppearInThePlot() {
        BufferedImage image = PlotRenderer.draw(SampleReports.full());
        Map<Integer, Integer> counts = colourCounts(image);

        for (int rgb : List.of(0x1F77B4, 0xD62728, 0xFF7F0E, 0x2CA02C, 0x9467BD)) {
            assertThat(counts.getOrDefault(rgb, 0)).as("pixels of #%06X", rgb).isGreaterThan(50);
        }
    }

    @Test
    void aReportWithoutTracesOrResultsStillRenders() {
        BenchmarkReport r = SampleReports.full();
        BenchmarkReport bare = new BenchmarkReport(r.dataset(), r.seed(), r.trainSize(), r.forgetSize(),
                r.retainSize(), r.holdoutSize(), r.validationSize(), r.parameters(), null, null, r.original(),
                r.originalSeconds(), List.of(r.results().get(5)), List.of());

        BufferedImage image = PlotRenderer.draw(bare);

        assertThat(image.getWidth()).isEqualTo(PlotRenderer.WIDTH);
        BufferedImage empty = PlotRenderer.draw(new BenchmarkReport(null, 0, 0, 0, 0, 0, 0, 0, null, null, null,
                Double.NaN, null, null));
        assertThat(empty.getHeight()).isEqualTo(PlotRenderer.HEIGHT);
    }

    private static Map<Integer, Integer> colourCounts(BufferedImage image) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                counts.merge(image.getRGB(x, y) & 0xFFFFFF, 1, Integer::sum);
            }
        }
        return counts;
    }
}
