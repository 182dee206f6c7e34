package dev.lethe.core.events;

import com.fasterxml.jackson.databind.JsonNode;

import dev.lethe.core.events.Inputs.RejectedInput;

import java.time.Instant;
import java.util.Map;

/**
 * The envelope of one Kafka record read as a CloudEvent of one expected type (Kafka protocol binding,
 * CloudEvents 1.0): plain JSON, a structured CloudEvent (the whole event as the JSON value) or a
 * binary CloudEvent ({@code ce_*} headers, the data as the value). A {@code ce_specversion} header
 * selects binary mode; a {@code specversion} field selects structured mode. Shared by the readers of
 * Lethe's input topics, which check the data themselves.
 *
 * @param mode    how the record was encoded
 * @param id      the CloudEvent id (null in plain JSON)
 * @param time    the CloudEvent time (null if absent or plain JSON)
 * @param data    the data object (the whole value in plain JSON)
 * @param keyText the record key as strict UTF-8 (null when the record has no key)
 */
public record CloudEventEnvelope(Mode mode, String id, Instant time, JsonNode data, String keyText) {

    /** How a record is encoded. */
    public enum Mode {
        PLAIN_JSON, STRUCTURED, BINARY
    }

    /**
     * Opens one record whose value is not null (readers reject tombstones in their own words).
     *
     * @throws RejectedInput with a reason that quotes no id, if the envelope is unreadable or of another type
     */
    public static CloudEventEnvelope open(byte[] key, byte[] value, Map<String, byte[]> headers, int maxValueBytes,
            String type) throws RejectedInput {
        String keyText = key == null ? null : Inputs.utf8(key, "record key");
        JsonNode root = Inputs.jsonObject(value, maxValueBytes);
        if (Inputs.header(headers, EventTypes.CE_SPECVERSION) != null) {
            return binary(root, keyText, headers, type);
        }
        for (String name : headers.keySet()) {
            if (name != null && name.startsWith(EventTypes.CE_PREFIX)) {
                throw new RejectedInput("CloudEvent header " + Inputs.quote(name)
                        + " without ce_specversion: binary mode needs ce_specversion, ce_id, ce_source and ce_type");
            }
        }
        if (root.has("specversion")) {
            return structured(root, keyText, type);
        }
        String contentType = Inputs.header(headers, EventTypes.CONTENT_TYPE_HEADER);
        if (contentType != null && Inputs.baseMediaType(contentType).equals("application/cloudevents+json")) {
            throw new RejectedInput("content-type says a structured CloudEvent but the value has no specversion");
        }
        return new CloudEventEnvelope(Mode.PLAIN_JSON, null, null, root, keyText);
    }

    private static CloudEventEnvelope structured(JsonNode event, String keyText, String type) throws RejectedInput {
        String specVersion = Inputs.text(event, "specversion", "CloudEvent specversion");
        if (!EventTypes.SPEC_VERSION.equals(specVersion)) {
            throw new RejectedInput("unsupported CloudEvent specversion " + Inputs.quote(specVersion)
                    + " (only 1.0 is read)");
        }
        String id = Inputs.text(event, "id", "CloudEvent id");
        Inputs.text(event, "source", "CloudEvent source");
        checkType(Inputs.text(event, "type", "CloudEvent type"), type);
        JsonNode contentType = event.get("datacontenttype");
        if (contentType != null && !contentType.isNull()
                && !(contentType.isTextual() && Inputs.isJson(contentType.textValue()))) {
            throw new RejectedInput("CloudEvent datacontenttype must be application/json");
        }
        if (event.has("data_base64")) {
            throw new RejectedInput("CloudEvent data_base64 is not supported: send the data as JSON");
        }
        JsonNode data = event.get("data");
        if (data == null || data.isNull()) {
            throw new RejectedInput("CloudEvent has no data");
        }
        if (!data.isObject()) {
            throw new RejectedInput("CloudEvent data must be a JSON object, was " + Inputs.kind(data));
        }
        Instant time = Inputs.optionalInstant(event, "time", "CloudEvent time");
        return new CloudEventEnvelope(Mode.STRUCTURED, id, time, data, keyText);
    }

    private static CloudEventEnvelope binary(JsonNode data, String keyText, Map<String, byte[]> headers, String type)
            throws RejectedInput {
        String specVersion = Inputs.header(headers, EventTypes.CE_SPECVERSION);
        if (!EventTypes.SPEC_VERSION.equals(specVersion)) {
            throw new RejectedInput("unsupported CloudEvent specversion " + Inputs.quote(specVersion)
                    + " in header ce_specversion (only 1.0 is read)");
        }
        String id = requireHeader(headers, EventTypes.CE_ID);
        requireHeader(headers, EventTypes.CE_SOURCE);
        checkType(requireHeader(headers, EventTypes.CE_TYPE), type);
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
        return new CloudEventEnvelope(Mode.BINARY, id, time, data, keyText);
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

    private static void checkType(String actual, String expected) throws RejectedInput {
        if (!expected.equals(actual)) {
            throw new RejectedInput("unknown CloudEvent type " + Inputs.quote(actual) + " (expected " + expected + ")");
        }
    }
}
