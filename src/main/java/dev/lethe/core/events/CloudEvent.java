package dev.lethe.core.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Objects;

/**
 * A CloudEvents 1.0 envelope with JSON data ({@code specversion} is always {@value EventTypes#SPEC_VERSION},
 * {@code datacontenttype} always {@value EventTypes#DATA_CONTENT_TYPE}). {@link CloudEventJson} writes
 * and reads it in structured mode.
 *
 * @param id      unique per {@code source}; consumers deduplicate on (source, id), so a retried
 *                publication must reuse the id
 * @param source  usually {@link EventTypes#SOURCE}
 * @param type    one of the {@code dev.lethe.*} types in {@link EventTypes}
 * @param time    when the event happened
 * @param subject optional; never a raw data-subject id
 * @param data    the payload (a defensive copy is kept)
 */
public record CloudEvent(String id, String source, String type, Instant time, String subject, JsonNode data) {

    public CloudEvent {
        requireText(id, "id");
        requireText(source, "source");
        requireText(type, "type");
        Objects.requireNonNull(time, "time");
        if (subject != null && subject.isBlank()) {
            throw new IllegalArgumentException("subject must be null or non-blank");
        }
        data = Objects.requireNonNull(data, "data").deepCopy();
    }

    /** A copy of the data. */
    @Override
    public JsonNode data() {
        return data.deepCopy();
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must be non-blank");
        }
    }
}
