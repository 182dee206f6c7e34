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
        return Inputs.orRejected(() -> parse(key, value, headers == null ? Map.of() : headers), Rejected::new);
    }

    private Accepted parse(byte[] key, byte[] value, Map<String, byte[]> headers) throws RejectedInput {
        if (value == null) {
            throw new RejectedInput("tombstone (null value): a deletion request needs a JSON value");
        }
        CloudEventEnvelope envelope = CloudEventEnvelope.open(key, value, headers, maxValueBytes,
                EventTypes.DELETION_REQUESTED);
        Format format = switch (envelope.mode()) {
            case PLAIN_JSON -> Format.PLAIN_JSON;
            case STRUCTURED -> Format.STRUCTURED_CLOUD_EVENT;
            case BINARY -> Format.BINARY_CLOUD_EVENT;
        };
        return new Accepted(request(envelope.data(), envelope.keyText(), envelope.time()), format);
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
