package dev.lethe.core.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.core.events.Inputs.RejectedInput;
import java.time.Instant;

/** Typed reads of the fields of Lethe's own events, each failing with the field's name. */
final class JsonFields {

    private JsonFields() {
    }

    static JsonNode field(JsonNode object, String name) {
        JsonNode node = object == null ? null : object.get(name);
        if (node == null) {
            throw new IllegalArgumentException(name + " is missing");
        }
        return node;
    }

    static JsonNode object(JsonNode object, String name) {
        JsonNode node = field(object, name);
        if (!node.isObject()) {
            throw new IllegalArgumentException(name + " must be an object");
        }
        return node;
    }

    static String string(JsonNode object, String name) {
        JsonNode node = field(object, name);
        if (!node.isTextual()) {
            throw new IllegalArgumentException(name + " must be a string");
        }
        return node.textValue();
    }

    static String nullableString(JsonNode object, String name) {
        JsonNode node = object.get(name);
        return node == null || node.isNull() ? null : string(object, name);
    }

    static long integer(JsonNode object, String name) {
        JsonNode node = field(object, name);
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new IllegalArgumentException(name + " must be an integer");
        }
        return node.longValue();
    }

    static Long nullableInteger(JsonNode object, String name) {
        JsonNode node = field(object, name);
        return node.isNull() ? null : integer(object, name);
    }

    static double number(JsonNode object, String name) {
        JsonNode node = field(object, name);
        if (node.isNull()) {
            return Double.NaN;
        }
        if (!node.isNumber()) {
            throw new IllegalArgumentException(name + " must be a number or null");
        }
        return node.doubleValue();
    }

    static Instant instant(JsonNode object, String name) {
        try {
            return Inputs.instant(string(object, name), name);
        } catch (RejectedInput e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }
}
