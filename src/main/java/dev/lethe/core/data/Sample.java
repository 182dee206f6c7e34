package dev.lethe.core.data;

import java.util.Objects;

/**
 * One training example and the data subject it belongs to. Features are stored flat, row-major,
 * in the layout given by the owning {@link SampleSet}'s shape (for images: channel, height, width).
 */
public record Sample(String sampleId, String subjectId, int label, float[] features) {

    public Sample {
        Objects.requireNonNull(sampleId, "sampleId");
        Objects.requireNonNull(subjectId, "subjectId");
        Objects.requireNonNull(features, "features");
        if (label < 0) {
            throw new IllegalArgumentException("label must be >= 0, was " + label);
        }
    }
}
