package dev.lethe.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The Fashion-MNIST dataset (60,000 training and 10,000 test images, 28x28 grey, 10 classes), read
 * from the files the Debian package {@code dataset-fashion-mnist} installs. It is the real
 * benchmark; tests that must run anywhere use {@link SyntheticData} instead.
 *
 * @param train the 60,000 official training images, the pool models are trained from
 * @param test  the 10,000 official test images, never trained on
 */
public record FashionMnist(LabelledImages train, LabelledImages test) {

    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";
    public static final int NUM_CLASSES = 10;
    private static final int[] SHAPE = {1, 28, 28};
    /** Label names in label order, for readable reports. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover",
            "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final String[] FILES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

    /** Whether all four files are present (compressed or not), so callers can fall back early. */
    public static boolean isAvailable(Path dir) {
        for (String name : FILES) {
            if (resolve(dir, name) == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Loads and checks both splits.
     *
     * @throws NoSuchFileException if a file is missing; the message says which package installs it
     */
    public static FashionMnist load(Path dir) throws IOException {
        return new FashionMnist(
                split(dir, FILES[0], FILES[1]),
                split(dir, FILES[2], FILES[3]));
    }

    private static LabelledImages split(Path dir, String imagesName, String labelsName)
            throws IOException {
        IdxReader.Images images = IdxReader.readImages(require(dir, imagesName));
        int[] labels = IdxReader.readLabels(require(dir, labelsName));
        if (images.rows() != SHAPE[1] || images.cols() != SHAPE[2]) {
            throw new IllegalArgumentException(imagesName + " holds " + images.rows() + "x"
                    + images.cols() + " images, Fashion-MNIST is 28x28");
        }
        if (images.count() != labels.length) {
            throw new IllegalArgumentException(imagesName + " holds " + images.count()
                    + " images but " + labelsName + " holds " + labels.length + " labels");
        }
        return new LabelledImages(images.pixels(), labels, SHAPE, NUM_CLASSES);
    }

    private static Path require(Path dir, String name) throws NoSuchFileException {
        Path file = resolve(dir, name);
        if (file == null) {
            throw new NoSuchFileException(dir.resolve(name + ".gz").toString(), null,
                    "Fashion-MNIST not found in " + dir + "; install the Debian package "
                            + DEBIAN_PACKAGE + " (apt-get install " + DEBIAN_PACKAGE
                            + ") or point to a directory holding the four IDX files");
        }
        return file;
    }

    private static Path resolve(Path dir, String name) {
        for (String candidate : new String[] {name + ".gz", name}) {
            Path file = dir.resolve(candidate);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        return null;
    }
}
