package dev.lethe.core.events;

import com.fasterxml.jackson.databind.JsonNode;

import dev.lethe.core.events.Inputs.RejectedInput;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * Reads one record of the compacted samples topic: a {@link SampleRecord}, a {@link Tombstone}
 * (null value: the sample is gone) or a {@link Rejected} record with a human reason. It never throws
 * for bad input and never repeats an id from the input in a reason.
 *
 * <p>Value: {@code {"sampleId", "subjectId", "label", "split", "shape", "features"}}, where
 * {@code features} is base64 (RFC 4648, no line breaks) of little-endian IEEE-754 float32 values,
 * row-major, {@code product(shape)} of them, all finite. Unknown fields are ignored.
 *
 * <p>Keys: the key is the sample id. A key that differs from {@code sampleId} is rejected; a record
 * with no key is accepted (a compacted topic refuses such records anyway). A tombstone needs a key.
 *
 * <p>Immutable and thread-safe.
 */
public final class SampleRecordReader {

    /** Default largest value accepted, in bytes (a 1×28×28 sample is about 4.3 KB). */
    public static final int DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;
    /** Default number of classes (Fashion-MNIST). */
    public static final int DEFAULT_NUM_CLASSES = 10;
    /** Most dimensions a shape may have. */
    public static final int MAX_DIMENSIONS = 8;

    private static final int[] DEFAULT_SHAPE = {1, 28, 28};

    /** What {@link #read} made of a record. */
    public sealed interface Result permits Accepted, Tombstone, Rejected {
        /** Whether the record holds a valid sample. */
        default boolean isAccepted() {
            return this instanceof Accepted;
        }
    }

    /** A valid sample. */
    public record Accepted(SampleRecord sample) implements Result {
        public Accepted {
            Objects.requireNonNull(sample, "sample");
        }
    }

    /** The sample with this id was deleted (null value). */
    public record Tombstone(String sampleId) implements Result {
        public Tombstone {
            Objects.requireNonNull(sampleId, "sampleId");
        }
    }

    /** An unreadable record; {@code reason} is a human sentence. */
    public record Rejected(String reason) implements Result {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    private final int[] expectedShape;
    private final int numClasses;
    private final int maxValueBytes;

    /** Shape {@code [1, 28, 28]}, {@value #DEFAULT_NUM_CLASSES} classes, {@link #DEFAULT_MAX_VALUE_BYTES}. */
    public SampleRecordReader() {
        this(DEFAULT_SHAPE, DEFAULT_NUM_CLASSES, DEFAULT_MAX_VALUE_BYTES);
    }

    /**
     * @param expectedShape the shape every sample must have, or {@code null} to accept any valid shape
     * @param numClasses    labels must lie in {@code [0, numClasses)}
     * @param maxValueBytes larger values are rejected
     */
    public SampleRecordReader(int[] expectedShape, int numClasses, int maxValueBytes) {
        if (expectedShape != null) {
            if (expectedShape.length == 0 || expectedShape.length > MAX_DIMENSIONS
                    || Arrays.stream(expectedShape).anyMatch(d -> d <= 0)) {
                throw new IllegalArgumentException("expectedShape must have 1 to " + MAX_DIMENSIONS
                        + " positive dimensions: " + Arrays.toString(expectedShape));
            }
            expectedShape = expectedShape.clone();
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be positive, was " + numClasses);
        }
        if (maxValueBytes < 1) {
            throw new IllegalArgumentException("maxValueBytes must be positive, was " + maxValueBytes);
        }
        this.expectedShape = expectedShape;
        this.numClasses = numClasses;
        this.maxValueBytes = maxValueBytes;
    }

    /** The shape every sample must have, or null if any shape is accepted. */
    public int[] expectedShape() {
        return expectedShape == null ? null : expectedShape.clone();
    }

    public int numClasses() {
        return numClasses;
    }

    public int maxValueBytes() {
        return maxValueBytes;
    }

    /**
     * Reads one record.
     *
     * @param key     the record key, the sample id (may be null, except for a tombstone)
     * @param value   the record value; null is a tombstone
     * @param headers the record headers (not used today; accepted so adapters call every reader alike)
     */
    public Result read(byte[] key, byte[] value, Map<String, byte[]> headers) {
        return Inputs.orRejected(() -> parse(key, value), Rejected::new);
    }

    private Result parse(byte[] key, byte[] value) throws RejectedInput {
        String keyText = key == null ? null : Inputs.utf8(key, "record key");
        if (value == null) {
            if (keyText == null) {
                throw new RejectedInput("tombstone (null value) without a key: nothing to delete");
            }
            return new Tombstone(Inputs.checkId(keyText, "record key"));
        }
        JsonNode root = Inputs.jsonObject(value, maxValueBytes);
        String sampleId = Inputs.id(root, "sampleId");
        String subjectId = Inputs.id(root, "subjectId");
        if (keyText != null && !keyText.equals(sampleId)) {
            throw new RejectedInput("record key does not match sampleId (key samples by sample id)");
        }
        int label = label(root);
        String split = split(root);
        int[] shape = shape(root);
        float[] features = features(root, shape);
        return new Accepted(new SampleRecord(sampleId, subjectId, label, split, shape, features));
    }

    private int label(JsonNode root) throws RejectedInput {
        JsonNode node = root.get("label");
        if (node == null || node.isNull()) {
            throw new RejectedInput("label is missing");
        }
        if (!node.isIntegralNumber()) {
            throw new RejectedInput("label must be a JSON integer, was " + Inputs.kind(node)
                    + (node.isNumber() ? " with a fraction" : ""));
        }
        if (!node.canConvertToInt() || node.intValue() < 0 || node.intValue() >= numClasses) {
            throw new RejectedInput("label " + node.asText() + " is outside [0, " + numClasses + ")");
        }
        return node.intValue();
    }

    private static String split(JsonNode root) throws RejectedInput {
        JsonNode node = root.get("split");
        if (node == null || node.isNull()) {
            throw new RejectedInput("split is missing");
        }
        if (!node.isTextual()) {
            throw new RejectedInput("split must be a JSON string, was " + Inputs.kind(node));
        }
        String split = node.textValue();
        if (!SampleRecord.TRAIN.equals(split) && !SampleRecord.HOLDOUT.equals(split)) {
            throw new RejectedInput("split must be \"train\" or \"holdout\", was " + Inputs.quote(split));
        }
        return split;
    }

    private int[] shape(JsonNode root) throws RejectedInput {
        JsonNode node = root.get("shape");
        if (node == null || node.isNull()) {
            throw new RejectedInput("shape is missing");
        }
        if (!node.isArray()) {
            throw new RejectedInput("shape must be a JSON array of positive integers, was " + Inputs.kind(node));
        }
        if (node.size() == 0 || node.size() > MAX_DIMENSIONS) {
            throw new RejectedInput("shape must have 1 to " + MAX_DIMENSIONS + " dimensions, has " + node.size());
        }
        int[] shape = new int[node.size()];
        long product = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = node.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() <= 0) {
                throw new RejectedInput("shape[" + i + "] must be a positive integer");
            }
            shape[i] = d.intValue();
            product *= shape[i];
            if (product > Integer.MAX_VALUE) {
                throw new RejectedInput("shape is too large: more than " + Integer.MAX_VALUE + " values");
            }
        }
        if (expectedShape != null && !Arrays.equals(shape, expectedShape)) {
            throw new RejectedInput("shape " + Arrays.toString(shape) + " differs from the expected "
                    + Arrays.toString(expectedShape));
        }
        return shape;
    }

    private static float[] features(JsonNode root, int[] shape) throws RejectedInput {
        JsonNode node = root.get("features");
        if (node == null || node.isNull()) {
            throw new RejectedInput("features is missing");
        }
        if (!node.isTextual()) {
            throw new RejectedInput("features must be a base64 JSON string, was " + Inputs.kind(node));
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(node.textValue());
        } catch (IllegalArgumentException e) {
            throw new RejectedInput("features is not valid base64 (RFC 4648, no line breaks)");
        }
        if (bytes.length % Float.BYTES != 0) {
            throw new RejectedInput("features decode to " + bytes.length
                    + " bytes, not a whole number of float32 values");
        }
        int count = bytes.length / Float.BYTES;
        long expected = Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b);
        if (count != expected) {
            throw new RejectedInput("features hold " + count + " float32 values but shape " + Arrays.toString(shape)
                    + " needs " + expected);
        }
        float[] features = new float[count];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(features);
        for (int i = 0; i < count; i++) {
            if (Float.isNaN(features[i])) {
                throw new RejectedInput("features[" + i + "] is NaN");
            }
            if (Float.isInfinite(features[i])) {
                throw new RejectedInput("features[" + i + "] is infinite");
            }
        }
        return features;
    }
}
