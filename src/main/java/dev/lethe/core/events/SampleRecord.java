package dev.lethe.core.events;

import dev.lethe.core.data.Sample;
import java.util.Arrays;
import java.util.Objects;

/**
 * One training or holdout sample from the samples topic.
 *
 * <p>Arrays are copied in and out, so a record cannot be changed after it is made.
 *
 * @param sampleId  the record key on the samples topic
 * @param subjectId the data subject it belongs to (redacted by {@link #toString()})
 * @param label     class index, {@code 0 <= label < numClasses}
 * @param split     {@link #TRAIN} or {@link #HOLDOUT}
 * @param shape     tensor shape, e.g. {@code [1, 28, 28]}; its product is {@code features.length}
 * @param features  the values, row-major
 */
public record SampleRecord(String sampleId, String subjectId, int label, String split, int[] shape, float[] features) {

    /** The sample may be trained on (and must be forgotten with its subject). */
    public static final String TRAIN = "train";
    /** The sample is never trained on: it is reference data for the membership check. */
    public static final String HOLDOUT = "holdout";

    public SampleRecord {
        Objects.requireNonNull(sampleId, "sampleId");
        Objects.requireNonNull(subjectId, "subjectId");
        Objects.requireNonNull(split, "split");
        if (!TRAIN.equals(split) && !HOLDOUT.equals(split)) {
            throw new IllegalArgumentException("split must be \"train\" or \"holdout\"");
        }
        shape = Objects.requireNonNull(shape, "shape").clone();
        features = Objects.requireNonNull(features, "features").clone();
        long product = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape dimensions must be positive: " + Arrays.toString(shape));
            }
            product *= d;
            if (product > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape is too large: " + Arrays.toString(shape));
            }
        }
        if (shape.length == 0 || product != features.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + product
                    + " values, features has " + features.length);
        }
    }

    /** The wire record of a core sample: {@code sample} in {@code split}, its features of {@code shape}. */
    public static SampleRecord of(Sample sample, String split, int[] shape) {
        return new SampleRecord(sample.sampleId(), sample.subjectId(), sample.label(), split, shape, sample.features());
    }

    /** A copy of the shape. */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** A copy of the features. */
    @Override
    public float[] features() {
        return features.clone();
    }

    /** Number of feature values, without copying them. */
    public int size() {
        return features.length;
    }

    /** Whether the sample belongs to the training split. */
    public boolean isTrain() {
        return TRAIN.equals(split);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SampleRecord s
                && label == s.label
                && sampleId.equals(s.sampleId)
                && subjectId.equals(s.subjectId)
                && split.equals(s.split)
                && Arrays.equals(shape, s.shape)
                && Arrays.equals(features, s.features);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(sampleId, subjectId, label, split);
        h = 31 * h + Arrays.hashCode(shape);
        return 31 * h + Arrays.hashCode(features);
    }

    /** Redacts the subject id and summarises the features. */
    @Override
    public String toString() {
        return "SampleRecord[sampleId=" + sampleId + ", subjectId=<redacted>, label=" + label + ", split=" + split
                + ", shape=" + Arrays.toString(shape) + ", features=" + features.length + " floats]";
    }
}
