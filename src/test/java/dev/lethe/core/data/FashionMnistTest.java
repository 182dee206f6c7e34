package dev.lethe.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @Test
    void loadsTheInstalledDatasetWithItsOfficialSizesShapeAndLabels() throws IOException {
        Assumptions.assumeTrue(FashionMnist.isAvailable(FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST not installed (Debian package dataset-fashion-mnist)");

        FashionMnist data = FashionMnist.load(FashionMnist.DEFAULT_DIR);

        assertThat(data.train().size()).isEqualTo(60_000);
        assertThat(data.test().size()).isEqualTo(10_000);
        for (LabelledImages split : new LabelledImages[] {data.train(), data.test()}) {
            assertThat(split.shape()).containsExactly(1, 28, 28);
            assertThat(split.numClasses()).isEqualTo(10);
            assertThat(split.images()[0]).hasSize(28 * 28);
            assertThat(Arrays.stream(split.labels()).distinct().sorted().toArray())
                    .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        }
        // Pixels are scaled to [0, 1] and the images are not blank.
        float max = 0;
        for (float v : data.train().images()[0]) {
            assertThat(v).isBetween(0f, 1f);
            max = Math.max(max, v);
        }
        assertThat(max).isGreaterThan(0.5f);
        // The official training set is balanced: 6,000 of each class.
        assertThat(Arrays.stream(data.train().labels()).filter(l -> l == 7).count())
                .isEqualTo(6_000);
    }

    @Test
    void aMissingDirectoryIsUnavailableAndLoadingItNamesTheDebianPackage(@TempDir Path empty) {
        assertThat(FashionMnist.isAvailable(empty)).isFalse();

        assertThatThrownBy(() -> FashionMnist.load(empty))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("dataset-fashion-mnist")
                .hasMessageContaining("train-images-idx3-ubyte");
    }
}
