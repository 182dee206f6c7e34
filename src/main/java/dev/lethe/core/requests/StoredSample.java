package dev.lethe.core.requests;

import dev.lethe.core.data.Sample;
import dev.lethe.core.events.SampleRecord;
import java.util.Arrays;
import java.util.Objects;

/**
 * A training sample as ingested from {@code lethe.samples} and kept in the {@link SubjectIndex}:
 * what is needed to build a subject's forget set without the training pipeline's help.
 *
 * <p>Subject ids may not contain the NUL character: the on-disk index uses it to separate a subject
 * id from its sample ids.
 *
 * <p>Equality compares the feature values (records compare arrays by reference). The feature
 * array is shared, not copied: treat it as immutable.
 *
 * @param split    the training pipeline's split name (e.g. {@code train}, {@code holdout}), which
 *                 decides whether the sample may feed the retain buffer or the holdout set
 * @param features flat, row-major, as in {@link Sample}
 */
public record StoredSample(String sampleId, String subjectId, int label, String split, float[] features) {

    public StoredSample {
        Objects.requireNonNull(sampleId, "sampleId");
        checkSubjectId(subjectId);
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(features, "features");
        if (label < 0) {
            throw new IllegalArgumentException("label must be >= 0, was " + label);
        }
    }

    /** Rejects null subject ids and ones containing NUL (the index's key separator). */
    static String checkSubjectId(String subjectId) {
        Objects.requireNonNull(subjectId, "subjectId");
        if (subjectId.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("subjectId must not contain NUL: " + subjectId.replace('\0', '?'));
        }
        return subjectId;
    }

    /** The index's row of a sample from the topic: everything but the shape, which the model config fixes. */
    public static StoredSample of(SampleRecord record) {
        return new StoredSample(record.sampleId(), record.subjectId(), record.label(), record.split(), record.features());
    }

    /** The core's view of the sample, for unlearning (shares the feature array). */
    public Sample toSample() {
        return new Sample(sampleId, subjectId, label, features);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredSample s && sampleId.equals(s.sampleId)
                && subjectId.equals(s.subjectId) && label == s.label && split.equals(s.split)
                && Arrays.equals(features, s.features);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sampleId, subjectId, label, split) * 31 + Arrays.hashCode(features);
    }

    @Override
    public String toString() {
        return "StoredSample[sampleId=" + sampleId + ", subjectId=" + subjectId + ", label=" + label
                + ", split=" + split + ", features=float[" + features.length + "]]";
    }
}
