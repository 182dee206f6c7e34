package dev.lethe.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX files MNIST and Fashion-MNIST are distributed in, so the project needs no
 * dataset library (and no network) to use them. Files may be gzip-compressed or plain; which one
 * is detected from the content (gzip magic {@code 1f 8b}), not the file name, because
 * distributions differ in whether they keep the {@code .gz}.
 *
 * <p>Errors: a file whose header is not what the format requires (wrong magic, impossible
 * dimensions, trailing bytes) gives an {@link IllegalArgumentException}; a file that ends early
 * gives an {@link EOFException}. Both messages name the file.
 */
public final class IdxReader {

    /** Magic of an IDX file of unsigned bytes with three dimensions (count, rows, cols). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic of an IDX file of unsigned bytes with one dimension (count). */
    public static final int LABELS_MAGIC = 0x00000801;

    /** Refuses headers that would make us allocate absurd amounts of memory. */
    private static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    private IdxReader() {
    }

    /**
     * Decoded images.
     *
     * @param pixels one flat row-major array of {@code rows * cols} values per image, pixel/255
     */
    public record Images(float[][] pixels, int rows, int cols) {

        public int count() {
            return pixels.length;
        }
    }

    public static Images readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = readHeaderInt(in, file, "magic number");
            checkMagic(file, magic, IMAGES_MAGIC, "images");
            int count = readHeaderInt(in, file, "image count");
            int rows = readHeaderInt(in, file, "row count");
            int cols = readHeaderInt(in, file, "column count");
            if (count < 0 || rows < 1 || cols < 1
                    || (long) count * rows * cols > MAX_VALUES) {
                throw new IllegalArgumentException(file + ": implausible image dimensions "
                        + count + " x " + rows + " x " + cols);
            }
            int size = rows * cols;
            float[][] pixels = new float[count][size];
            byte[] buf = new byte[size];
            for (int i = 0; i < count; i++) {
                readFully(in, buf, file, "image " + i + " of " + count);
                float[] row = pixels[i];
                for (int p = 0; p < size; p++) {
                    row[p] = (buf[p] & 0xff) / 255f;
                }
            }
            checkEnd(in, file);
            return new Images(pixels, rows, cols);
        }
    }

    public static int[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = readHeaderInt(in, file, "magic number");
            checkMagic(file, magic, LABELS_MAGIC, "labels");
            int count = readHeaderInt(in, file, "label count");
            if (count < 0) {
                throw new IllegalArgumentException(file + ": negative label count " + count);
            }
            byte[] buf = new byte[count];
            readFully(in, buf, file, count + " labels");
            checkEnd(in, file);
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = buf[i] & 0xff;
            }
            return labels;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            return new DataInputStream(gzip
                    ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16)
                    : raw);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static void checkMagic(Path file, int actual, int expected, String kind) {
        if (actual != expected) {
            throw new IllegalArgumentException(String.format(
                    "%s: not an IDX %s file: magic number 0x%08x, expected 0x%08x",
                    file, kind, actual, expected));
        }
    }

    private static int readHeaderInt(DataInputStream in, Path file, String what)
            throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw truncated(file, "header (" + what + ")", e);
        }
    }

    private static void readFully(DataInputStream in, byte[] buf, Path file, String what)
            throws IOException {
        try {
            in.readFully(buf);
        } catch (EOFException e) {
            throw truncated(file, what, e);
        }
    }

    private static void checkEnd(InputStream in, Path file) throws IOException {
        if (in.read() != -1) {
            throw new IllegalArgumentException(
                    file + ": unexpected bytes after the data the header announces");
        }
    }

    private static EOFException truncated(Path file, String what, EOFException cause) {
        EOFException e = new EOFException(file + ": truncated IDX file, ended while reading " + what);
        e.initCause(cause);
        return e;
    }
}
