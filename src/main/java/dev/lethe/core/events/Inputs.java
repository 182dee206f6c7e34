package dev.lethe.core.events;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

/**
 * Checks shared by the record readers (here and in {@code dev.lethe.core.rebase}). Each check either
 * returns the value or throws
 * {@link RejectedInput} with a human reason that never repeats an id from the input.
 */
public final class Inputs {

    /** Longest id accepted (request, subject and sample ids). */
    public static final int MAX_ID_LENGTH = 256;

    /** Strict reader: duplicate keys and content after the value are errors. */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Inputs() {
    }

    /** Bad input: the message is the reason given to the caller (and the dead-letter header). */
    public static final class RejectedInput extends Exception {
        private static final long serialVersionUID = 1L;

        public RejectedInput(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A parse of one record that may reject it. */
    @FunctionalInterface
    public interface Parse<R> {
        R parse() throws RejectedInput;
    }

    /**
     * Runs a parse, turning bad input into {@code rejected(reason)} rather than an exception. A runtime
     * exception is a bug, not bad input; it still becomes a rejection (for the consumer loop), named
     * by class only: its message may quote the input.
     */
    public static <R> R orRejected(Parse<R> parse, java.util.function.Function<String, R> rejected) {
        try {
            return parse.parse();
        } catch (RejectedInput e) {
            return rejected.apply(e.getMessage());
        } catch (RuntimeException e) {
            return rejected.apply("unexpected " + e.getClass().getSimpleName() + " while reading the record");
        }
    }

    /** Decodes strictly: malformed or truncated sequences are rejected, not replaced. */
    public static String utf8(byte[] bytes, String what) throws RejectedInput {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        // UTF-8 never decodes to more UTF-16 units than it has bytes.
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new RejectedInput(what + " is not valid UTF-8 (bad byte sequence at offset " + in.position() + ")");
        }
        return out.flip().toString();
    }

    /** A header's value as strict UTF-8, {@code ""} for a header with a null value, null if absent. */
    public static String header(Map<String, byte[]> headers, String name) throws RejectedInput {
        if (!headers.containsKey(name)) {
            return null;
        }
        byte[] value = headers.get(name);
        return value == null ? "" : utf8(value, "header " + name);
    }

    /** Size, UTF-8 and JSON checks; the value must be a JSON object. */
    public static JsonNode jsonObject(byte[] value, int maxBytes) throws RejectedInput {
        if (value.length > maxBytes) {
            throw new RejectedInput("value is " + value.length + " bytes, more than the limit of " + maxBytes);
        }
        if (value.length == 0) {
            throw new RejectedInput("value is empty");
        }
        String text = utf8(value, "value");
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new RejectedInput(describe(e));
        }
        if (root == null || root.isMissingNode()) {
            throw new RejectedInput("value holds no JSON (only whitespace)");
        }
        if (!root.isObject()) {
            throw new RejectedInput("value must be a JSON object, was " + kind(root));
        }
        return root;
    }

    /** Describes a parse error by kind and position only: Jackson's messages may quote the input. */
    static String describe(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 0 ? ""
                : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        String message = String.valueOf(e.getOriginalMessage());
        if (e instanceof JsonEOFException || message.startsWith("Unexpected end-of-input")) {
            return "malformed JSON: the value ends before the JSON is complete";
        }
        if (message.startsWith("Duplicate field")) {
            return "malformed JSON: a field appears twice in one object" + where;
        }
        if (message.startsWith("Trailing token")) {
            return "malformed JSON: more content after the JSON value" + where;
        }
        if (e instanceof StreamConstraintsException) {
            return "JSON exceeds the parser's limits (nesting depth, number or string length)";
        }
        return "malformed JSON" + where;
    }

    /** A required, sane identifier: a string, not blank, no surrounding whitespace or control characters. */
    public static String id(JsonNode object, String field) throws RejectedInput {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            throw new RejectedInput(field + " is missing");
        }
        if (!node.isTextual()) {
            throw new RejectedInput(field + " must be a JSON string, was " + kind(node));
        }
        return checkId(node.textValue(), field);
    }

    /** The identifier rules of {@link #id} applied to a string from elsewhere (a record key). */
    public static String checkId(String value, String what) throws RejectedInput {
        if (value.isBlank()) {
            throw new RejectedInput(what + " is blank");
        }
        if (value.length() > MAX_ID_LENGTH) {
            throw new RejectedInput(what + " is longer than " + MAX_ID_LENGTH + " characters");
        }
        if (!value.equals(value.strip())) {
            throw new RejectedInput(what + " has leading or trailing whitespace");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new RejectedInput(what + " contains control characters");
        }
        return value;
    }

    /** A required non-blank string field (CloudEvent attributes). */
    public static String text(JsonNode object, String field, String what) throws RejectedInput {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            throw new RejectedInput(what + " is missing");
        }
        if (!node.isTextual()) {
            throw new RejectedInput(what + " must be a JSON string, was " + kind(node));
        }
        if (node.textValue().isBlank()) {
            throw new RejectedInput(what + " is blank");
        }
        return node.textValue();
    }

    /** An optional RFC 3339 timestamp field; null when absent or JSON null. */
    public static Instant optionalInstant(JsonNode object, String field, String what) throws RejectedInput {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new RejectedInput(what + " must be an RFC 3339 timestamp string, was " + kind(node));
        }
        return instant(node.textValue(), what);
    }

    /** Parses an RFC 3339 timestamp with offset, e.g. {@code 2026-11-26T10:15:30Z} or {@code …+01:00}. */
    public static Instant instant(String text, String what) throws RejectedInput {
        Instant common = commonInstant(text);
        if (common != null) {
            return common;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new RejectedInput(what + " is not an RFC 3339 timestamp (like 2026-11-26T10:15:30Z)");
        }
    }

    /**
     * The common shape {@code yyyy-MM-ddTHH:mm:ss[.f…](Z|±HH:mm)} read by hand, or null for anything
     * else (which the formatter then reads or rejects). Same instants as {@code OffsetDateTime.parse};
     * about twenty times cheaper, and every request carries a timestamp.
     */
    static Instant commonInstant(String t) {
        int n = t.length();
        if (n < 20 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
                || t.charAt(16) != ':') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (t.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
                nanos = nanos * 10 + (t.charAt(i) - '0');
                i++;
            }
            if (i == start) {
                return null;
            }
            for (int k = i - start; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && t.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (t.charAt(i) == '+' || t.charAt(i) == '-') && t.charAt(i + 3) == ':') {
            int oh = digits(t, i + 1, 2);
            int om = digits(t, i + 4, 2);
            if ((oh | om) < 0 || oh > 18 || om > 59 || (oh == 18 && om > 0)) {
                return null;
            }
            offsetSeconds = (t.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        } else {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos)
                    .toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds));
        } catch (DateTimeException e) {
            return null; // out of range (month 13, 30 February, …): the formatter says so
        }
    }

    /** {@code count} ASCII digits at {@code from} as a number, or -1. */
    private static int digits(String t, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Whether a media type is JSON ({@code application/json}, parameters such as charset allowed). */
    public static boolean isJson(String mediaType) {
        return baseMediaType(mediaType).equals("application/json");
    }

    /** The media type without parameters, trimmed and lower-cased. */
    public static String baseMediaType(String mediaType) {
        int semicolon = mediaType.indexOf(';');
        String base = semicolon < 0 ? mediaType : mediaType.substring(0, semicolon);
        return base.strip().toLowerCase(Locale.ROOT);
    }

    /** A short, printable rendering of a value that is safe to put into a reason (not for ids). */
    public static String quote(String value) {
        StringBuilder b = new StringBuilder("'");
        value.codePoints().limit(64).forEach(c -> {
            if (Character.isISOControl(c)) {
                b.append('?');
            } else {
                b.appendCodePoint(c);
            }
        });
        if (value.codePointCount(0, value.length()) > 64) {
            b.append('…');
        }
        return b.append('\'').toString();
    }

    /** JSON node kind in words: string, number, boolean, object, array, null. */
    public static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
