package dev.lethe.core.rebase;

import com.fasterxml.jackson.databind.JsonNode;

import dev.lethe.core.events.CloudEventEnvelope;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.Inputs;
import dev.lethe.core.events.Inputs.RejectedInput;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.events.Sha256Hex;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reads one {@value EventTypes#MODEL_RETRAINED} record of the model-versions topic into a
 * {@link RetrainEvent}, or says in one human sentence why it cannot. Like the deletion-request reader
 * it never throws for bad input and never repeats an id from the input in a reason.
 *
 * <p>A structured CloudEvent ({@code specversion} 1.0, {@code id}, {@code source}, {@code type}) or a
 * binary one ({@code ce_*} headers), with data {@code {"model", "artifactUri", "sha256", "format"?
 * (default torchscript), "samplesPosition": {"0": 123, …}, "trainedAt"?}}. Without {@code trainedAt}
 * the CloudEvent time is used; one of them is required. A key, if present, must be the model name.
 *
 * <p>Immutable and thread-safe.
 */
public final class RetrainEventReader {

    /** Default largest value accepted, in bytes. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 64 * 1024;

    /** What {@link #read} made of a record: {@link Accepted} or {@link Rejected}. */
    public sealed interface Result permits Accepted, Rejected {
        /** Whether the record holds a valid retrain event. */
        default boolean isAccepted() {
            return this instanceof Accepted;
        }
    }

    /** A valid retrain event. */
    public record Accepted(RetrainEvent event) implements Result {
        public Accepted {
            Objects.requireNonNull(event, "event");
        }
    }

    /** An unreadable record; {@code reason} is a human sentence, quoting no id. */
    public record Rejected(String reason) implements Result {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    private final int maxValueBytes;

    /** A reader with {@link #DEFAULT_MAX_VALUE_BYTES}. */
    public RetrainEventReader() {
        this(DEFAULT_MAX_VALUE_BYTES);
    }

    /** A reader that rejects values larger than {@code maxValueBytes}. */
    public RetrainEventReader(int maxValueBytes) {
        if (maxValueBytes < 1) {
            throw new IllegalArgumentException("maxValueBytes must be positive, was " + maxValueBytes);
        }
        this.maxValueBytes = maxValueBytes;
    }

    /**
     * Reads one record.
     *
     * @param key     the record key (may be null)
     * @param value   the record value (null is a tombstone, which is rejected)
     * @param headers the record headers by name (may be null; a header with a null value reads as "")
     */
    public Result read(byte[] key, byte[] value, Map<String, byte[]> headers) {
        return Inputs.orRejected(() -> new Accepted(parse(key, value, headers == null ? Map.of() : headers)),
                Rejected::new);
    }

    private RetrainEvent parse(byte[] key, byte[] value, Map<String, byte[]> headers) throws RejectedInput {
        if (value == null) {
            throw new RejectedInput("tombstone (null value): a retrain event needs a CloudEvent value");
        }
        CloudEventEnvelope envelope = CloudEventEnvelope.open(key, value, headers, maxValueBytes,
                EventTypes.MODEL_RETRAINED);
        if (envelope.mode() == CloudEventEnvelope.Mode.PLAIN_JSON) {
            throw new RejectedInput("not a CloudEvent: a retrain event needs specversion, id, source and type "
                    + EventTypes.MODEL_RETRAINED);
        }
        JsonNode data = envelope.data();
        String model = Inputs.id(data, "model");
        if (envelope.keyText() != null && !envelope.keyText().equals(model)) {
            throw new RejectedInput("record key does not match model (key retrain events by model name)");
        }
        String artifactUri = Inputs.text(data, "artifactUri", "artifactUri");
        String sha256 = Inputs.text(data, "sha256", "sha256");
        if (!Sha256Hex.isValid(sha256)) {
            throw new RejectedInput("sha256 must be 64 lowercase hex digits");
        }
        String format = format(data);
        Map<Integer, Long> position = samplesPosition(data);
        Instant trainedAt = Inputs.optionalInstant(data, "trainedAt", "trainedAt");
        if (trainedAt == null) {
            trainedAt = envelope.time();
        }
        if (trainedAt == null) {
            throw new RejectedInput("trainedAt is missing and the CloudEvent has no time");
        }
        return new RetrainEvent(envelope.id(), model, artifactUri, sha256, format, position, trainedAt);
    }

    private static String format(JsonNode data) throws RejectedInput {
        JsonNode node = data.get("format");
        if (node == null || node.isNull()) {
            return ModelVersionEvent.TORCHSCRIPT;
        }
        if (!node.isTextual() || !(ModelVersionEvent.TORCHSCRIPT.equals(node.textValue())
                || ModelVersionEvent.LETHE.equals(node.textValue()))) {
            throw new RejectedInput("format must be " + ModelVersionEvent.TORCHSCRIPT + " or "
                    + ModelVersionEvent.LETHE);
        }
        return node.textValue();
    }

    private static Map<Integer, Long> samplesPosition(JsonNode data) throws RejectedInput {
        JsonNode node = data.get("samplesPosition");
        if (node == null || node.isNull()) {
            throw new RejectedInput("samplesPosition is missing");
        }
        if (!node.isObject()) {
            throw new RejectedInput("samplesPosition must be a JSON object, was " + Inputs.kind(node));
        }
        if (node.isEmpty()) {
            throw new RejectedInput("samplesPosition must name at least one partition");
        }
        Map<Integer, Long> position = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            int partition = partition(field.getKey());
            JsonNode offset = field.getValue();
            if (!offset.isIntegralNumber() || !offset.canConvertToLong() || offset.longValue() < 0) {
                throw new RejectedInput("samplesPosition offsets must be integers >= 0 (partition " + partition + ")");
            }
            if (position.put(partition, offset.longValue()) != null) {
                throw new RejectedInput("samplesPosition names partition " + partition + " twice");
            }
        }
        return position;
    }

    /** A partition number: 1-9 decimal digits, no sign, no leading zero (so "1" and "01" cannot both appear). */
    private static int partition(String name) throws RejectedInput {
        boolean digits = !name.isEmpty() && name.length() <= 9 && name.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits || (name.length() > 1 && name.charAt(0) == '0')) {
            throw new RejectedInput("samplesPosition keys must be partition numbers like \"0\", was "
                    + Inputs.quote(name));
        }
        return Integer.parseInt(name);
    }
}
