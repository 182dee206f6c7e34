package dev.lethe.core.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Images with their class labels, before any data subjects are attached. This is the common
 * currency of the real ({@link FashionMnist}) and synthetic ({@link SyntheticData}) sources so
 * that everything downstream ({@link Subjects}, {@link BenchmarkSplit}) is agnostic of where the
 * pixels came from.
 *
 * <p>The arrays are shared, not copied: the Fashion-MNIST training images alone are about 190 MB
 * as floats, so treat them as read-only. For the same reason, {@code equals} compares array
 * identity (record default), not contents.
 *
 * @param images     one flat row-major array per image, {@code featureCount()} values in [0, 1]
 * @param labels     class of each image, in {@code 0..numClasses-1}
 * @param shape      shape of one image without the batch dimension, e.g. {1, 28, 28}
 * @param numClasses size of the label space
 */
public record LabelledImages(float[][] images, int[] labels, int[] shape, int numClasses) {

    public LabelledImages {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(shape, "shape");
        if (images.length != labels.length) {
            throw new IllegalArgumentException(
                    images.length + " images but " + labels.length + " labels");
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, was " + numClasses);
        }
        shape = shape.clone();
        int expected = 1;
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("invalid shape " + Arrays.toString(shape));
            }
            expected *= d;
        }
        for (int i = 0; i < images.length; i++) {
            if (images[i] == null || images[i].length != expected) {
                throw new IllegalArgumentException("image " + i + " has "
                        + (images[i] == null ? "no" : images[i].length) + " values, shape "
                        + Arrays.toString(shape) + " needs " + expected);
            }
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("image " + i + " has label " + labels[i]
                        + ", outside 0.." + (numClasses - 1));
            }
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return labels.length;
    }

    public int featureCount() {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
