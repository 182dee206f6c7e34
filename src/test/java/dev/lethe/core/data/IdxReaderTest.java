package dev.lethe.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    /** Three 2x3 images whose pixels are distinct bytes, including 0 and 255. */
    private static final int[][] PIXELS = {
        {0, 1, 2, 3, 4, 5},
        {255, 254, 128, 127, 64, 10},
        {9, 8, 7, 6, 200, 100},
    };

    private static byte[] imagesFile(int magic, int count, int rows, int cols, int[][] pixels)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int[] image : pixels) {
            for (int p : image) {
                out.writeByte(p);
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] labelsFile(int... labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxReader.LABELS_MAGIC);
        out.writeInt(labels.length);
        for (int l : labels) {
            out.writeByte(l);
        }
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] content, boolean gzip) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = gzip
                ? new GZIPOutputStream(Files.newOutputStream(file))
                : Files.newOutputStream(file)) {
            out.write(content);
        }
        return file;
    }

    private static void assertPixels(IdxReader.Images images) {
        assertThat(images.count()).isEqualTo(3);
        assertThat(images.rows()).isEqualTo(2);
        assertThat(images.cols()).isEqualTo(3);
        for (int i = 0; i < PIXELS.length; i++) {
            float[] expected = new float[6];
            for (int p = 0; p < 6; p++) {
                expected[p] = PIXELS[i][p] / 255f;
            }
            assertThat(images.pixels()[i]).containsExactly(expected);
        }
    }

    @Test
    void readsGzippedImagesWrittenInTheIdxFormat() throws IOException {
        // No .gz suffix: gzip must be recognised from the content.
        Path file = write("images", imagesFile(IdxReader.IMAGES_MAGIC, 3, 2, 3, PIXELS), true);

        assertPixels(IdxReader.readImages(file));
    }

    @Test
    void readsPlainImagesWrittenInTheIdxFormat() throws IOException {
        Path file = write("images.gz", imagesFile(IdxReader.IMAGES_MAGIC, 3, 2, 3, PIXELS), false);

        assertPixels(IdxReader.readImages(file));
    }

    @Test
    void readsLabelsGzippedAndPlainAsUnsignedBytes() throws IOException {
        byte[] content = labelsFile(0, 9, 3, 255);

        assertThat(IdxReader.readLabels(write("l.gz", content, true))).containsExactly(0, 9, 3, 255);
        assertThat(IdxReader.readLabels(write("l", content, false))).containsExactly(0, 9, 3, 255);
    }

    @Test
    void rejectsALabelsFileGivenAsImagesNamingBothMagicNumbers() throws IOException {
        Path file = write("labels", labelsFile(1, 2, 3), true);

        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("0x00000801")
                .hasMessageContaining("expected 0x00000803");
    }

    @Test
    void rejectsAnImagesFileGivenAsLabels() throws IOException {
        Path file = write("images", imagesFile(IdxReader.IMAGES_MAGIC, 3, 2, 3, PIXELS), false);

        assertThatThrownBy(() -> IdxReader.readLabels(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an IDX labels file");
    }

    @Test
    void rejectsTruncatedPixelDataNamingTheImageWhereItEnded() throws IOException {
        byte[] full = imagesFile(IdxReader.IMAGES_MAGIC, 3, 2, 3, PIXELS);
        byte[] cut = Arrays.copyOf(full, full.length - 4);

        for (boolean gzip : new boolean[] {true, false}) {
            Path file = write("cut-" + gzip, cut, gzip);
            assertThatThrownBy(() -> IdxReader.readImages(file))
                    .isInstanceOf(EOFException.class)
                    .hasMessageContaining("truncated")
                    .hasMessageContaining("image 2 of 3");
        }
    }

    @Test
    void rejectsAFileThatEndsInsideTheHeader() throws IOException {
        Path file = write("short", new byte[] {0, 0, 8, 3, 0, 0}, false);

        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("header");
    }

    @Test
    void rejectsATruncatedGzipStream() throws IOException {
        Path whole = write("whole", labelsFile(new int[1000]), true);
        byte[] gz = Files.readAllBytes(whole);
        Path cut = dir.resolve("cut");
        Files.write(cut, Arrays.copyOf(gz, gz.length / 2));

        assertThatThrownBy(() -> IdxReader.readLabels(cut))
                .isInstanceOf(EOFException.class)
                .hasMessageContaining(cut.toString());
    }

    @Test
    void rejectsTrailingBytesBeyondWhatTheHeaderAnnounces() throws IOException {
        byte[] full = labelsFile(1, 2, 3);
        Path file = write("long", Arrays.copyOf(full, full.length + 1), false);

        assertThatThrownBy(() -> IdxReader.readLabels(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unexpected bytes");
    }

    @Test
    void rejectsImpossibleDimensionsBeforeAllocating() throws IOException {
        Path file = write("huge", imagesFile(IdxReader.IMAGES_MAGIC, 1_000_000, 1000, 1000,
                new int[0][]), false);

        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("implausible image dimensions");
    }
}
