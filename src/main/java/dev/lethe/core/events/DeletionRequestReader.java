package dev.lethe.core.events;

import com.fasterxml.jackson.databind.JsonNode;

import dev.lethe.core.events.Inputs.RejectedInput;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Reads one record of the deletion-requests topic into a {@link DeletionRequest}, or says in one
 * human sentence why it cannot (the sentence is meant for the {@value EventTypes#DEAD_LETTER_REASON}
 * header). It never throws for bad input and never repeats an id from the input in a reason.
 *
 * <p>Three encodings are accepted:
 * <ul>
 *   <li><b>plain JSON</b>: {@code {"requestId", "subjectId", "requestedAt"?}};</li>
 *   <li><b>structured CloudEvent</b>: a JSON object with {@code "specversion": "1.0"}, {@code id},
 *       {@code source}, {@code type} = {@value EventTypes#DELETION_REQUESTED}, optional {@code time}
 *       and {@code datacontenttype} (JSON if present), and the plain JSON as {@code data};</li>
 *   <li><b>binary CloudEvent</b>: headers {@code ce_specversion}, {@code ce_id}, {@code ce_source},
 *       {@code ce_type} (optional {@code ce_time}, {@code content-type}) and the plain JSON as value.</li>
 * </ul>
 * A {@code ce_specversion} header selects binary mode; a {@code specversion} field selects structured
 * mode. Unknown fields are ignored. Without {@code requestedAt} the CloudEvent time is used, if any.
 *
 * <p><b>Keys.</b> Producers should key by subject id, so that one subject's requests stay in order
 * on one partition. A record with a key whose UTF-8 text differs from {@code subjectId} is rejected
 * (a producer bug that would break that ordering). A record with <em>no</em> key (null) is accepted,
 * since the value alone is complete and some producers cannot set keys; ordering across such
 * records is then not guaranteed. An empty key is a key, and does not match.
 *
 * <p>Immutable and thread-safe.
 */
public final class DeletionRequestReader {

    /** Default largest value accepted, in bytes. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 64 * 1024;
    /** Longest request or subject id accepted, in characters. */
    public static final int MAX_ID_LENGTH = Inputs.MAX_ID_LENGTH;

    /** How the accepted request was encoded. */
    public enum Format {
        PLAIN_JSON, STRUCTURED_CLOUD_EVENT, BINARY_CLOUD_EVENT
    }

    /** What {@link #read} made of a record: {@link Accepted} or {@link Rejected}. */
    public sealed interface Result permits Accepted, Rejected {
        /** Whether the record holds a valid request. */
        default boolean isAccepted() {
            return this instanceof Accepted;
        }
    }

    /** A valid request, and how it was encoded. */
    public record Accepted(DeletionRequest request, Format format) implements Result {
        public Accepted {
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(format, "format");
        }
    }

    /** An unreadable record; {@code reason} is a human sentence for the dead-letter topic. */
    public record Rejected(String reason) implements Result {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    private final int maxValueBytes;

    /** A reader with {@link #DEFAULT_MAX_VALUE_BYTES}. */
    public DeletionRequestReader() {
        this(DEFAULT_MAX_VALUE_BYTES);
    }

    /** A reader that rejects values larger than {@code maxValueBytes}. */
    public DeletionRequestReader(int maxValueBytes) {
        if (maxValueBytes < 1) {
            throw new IllegalArgumentException("maxValueBytes must be positive, was " + maxValueBytes);
        }
        this.maxValueBytes = maxValueBytes;
    }

    /** The largest value accepted, in bytes. */
    public int maxValueBytes() {
        return maxValueBytes;
    }

    /**
     * Reads one record.
     *
     * @param key     the record key (may be null)
     * @param value   the record value (null is a tombstone, which is rejected)
     * @param headers the record headers by name (may be null; a header with a null value reads as "")
     */
    public Result read(byte[] key, byte[] value, Map<String, byte[]> headers) {
        try {
            return parse(key, value, headers == null ? Map.of() : headers);
        } catch (RejectedInput e) {
            return new Rejected(e.getMessage());
        } catch (RuntimeException e) {
            // A bug, not bad input; still no exception for the consumer loop. No message: it may quote input.
            return new Rejected("unexpected " + e.getClass().getSimpleName() + " while reading the record");
        }
    }

    private Accepted parse(byte[] key, byte[] value, Map<String, byte[]> headers) throws RejectedInput {
        if (value == null) {
            throw new RejectedInput("tombstone (null value): a deletion request needs a JSON value");
        }
        String keyText = key == null ? null : Inputs.utf8(key, "record key");
        JsonNode root = Inputs.jsonObject(value, maxValueBytes);

        String specHeader = Inputs.header(headers, EventTypes.CE_SPECVERSION);
        if (specHeader != null) {
            return binary(root, keyText, headers);
        }
        for (String name : headers.keySet()) {
            if (name != null && name.startsWith(EventTypes.CE_PREFIX)) {
                throw new RejectedInput("CloudEvent header " + Inputs.quote(name)
                        + " without ce_specversion: binary mode needs ce_specversion, ce_id, ce_source and ce_type");
            }
        }
        if (root.has("specversion")) {
            return structured(root, keyText);
        }
        String contentType = Inputs.header(headers, EventTypes.CONTENT_TYPE_HEADER);
        if (contentType != null && Inputs.baseMediaType(contentType).equals("application/cloudevents+json")) {
            throw new RejectedInput("content-type says a structured CloudEvent but the value has no specversion");
        }
        return new Accepted(request(root, keyText, null), Format.PLAIN_JSON);
    }

    private Accepted structured(JsonNode event, String keyText) throws RejectedInput {
        String specVersion = Inputs.text(event, "specversion", "CloudEvent specversion");
        if (!EventTypes.SPEC_VERSION.equals(specVersion)) {
            throw new RejectedInput("unsupported CloudEvent specversion " + Inputs.quote(specVersion)
                    + " (only 1.0 is read)");
        }
        Inputs.text(event, "id", "CloudEvent id");
        Inputs.text(event, "source", "CloudEvent source");
        checkType(Inputs.text(event, "type", "CloudEvent type"));
        JsonNode contentType = event.get("datacontenttype");
        if (contentType != null && !contentType.isNull()
                && !(contentType.isTextual() && Inputs.isJson(contentType.textValue()))) {
            throw new RejectedInput("CloudEvent datacontenttype must be application/json");
        }
        if (event.has("data_base64")) {
            throw new RejectedInput("CloudEvent data_base64 is not supported: send the request as JSON data");
        }
        JsonNode data = event.get("data");
        if (data == null || data.isNull()) {
            throw new RejectedInput("CloudEvent has no data");
        }
        if (!data.isObject()) {
            throw new RejectedInput("CloudEvent data must be a JSON object, was " + Inputs.kind(data));
        }
        Instant time = Inputs.optionalInstant(event, "time", "CloudEvent time");
        return new Accepted(request(data, keyText, time), Format.STRUCTURED_CLOUD_EVENT);
    }

    private Accepted binary(JsonNode data, String keyText, Map<String, byte[]> headers) throws RejectedInput {
        String specVersion = Inputs.header(headers, EventTypes.CE_SPECVERSION);
        if (!EventTypes.SPEC_VERSION.equals(specVersion)) {
            throw new RejectedInput("unsupported CloudEvent specversion " + Inputs.quote(specVersion)
                    + " in header ce_specversion (only 1.0 is read)");
        }
        requireHeader(headers, EventTypes.CE_ID);
        requireHeader(headers, EventTypes.CE_SOURCE);
        checkType(requireHeader(headers, EventTypes.CE_TYPE));
        String contentType = Inputs.header(headers, EventTypes.CONTENT_TYPE_HEADER);
        if (contentType != null && !Inputs.isJson(contentType)) {
            throw new RejectedInput("content-type of a binary-mode CloudEvent must be application/json, was "
                    + Inputs.quote(contentType));
        }
        if (data.has("specversion")) {
            throw new RejectedInput("both binary-mode ce_ headers and a structured CloudEvent value: send one");
        }
        String timeHeader = Inputs.header(headers, EventTypes.CE_TIME);
        Instant time = timeHeader == null ? null : Inputs.instant(timeHeader, "header ce_time");
        return new Accepted(request(data, keyText, time), Format.BINARY_CLOUD_EVENT);
    }

    private static String requireHeader(Map<String, byte[]> headers, String name) throws RejectedInput {
        String value = Inputs.header(headers, name);
        if (value == null) {
            throw new RejectedInput("binary-mode CloudEvent header " + name + " is missing");
        }
        if (value.isBlank()) {
            throw new RejectedInput("binary-mode CloudEvent header " + name + " is blank");
        }
        return value;
    }

    private static void checkType(String type) throws RejectedInput {
        if (!EventTypes.DELETION_REQUESTED.equals(type)) {
            throw new RejectedInput("unknown CloudEvent type " + Inputs.quote(type) + " (expected "
                    + EventTypes.DELETION_REQUESTED + ")");
        }
    }

    private static DeletionRequest request(JsonNode data, String keyText, Instant defaultTime) throws RejectedInput {
        String requestId = Inputs.id(data, "requestId");
        String subjectId = Inputs.id(data, "subjectId");
        Instant requestedAt = Inputs.optionalInstant(data, "requestedAt", "requestedAt");
        if (keyText != null && !keyText.equals(subjectId)) {
            throw new RejectedInput("record key does not match subjectId (key deletion requests by subject id)");
        }
        return new DeletionRequest(requestId, subjectId, requestedAt != null ? requestedAt : defaultTime);
    }
}
