package dev.lethe.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.core.events.DeletionRequestReader.Accepted;
import dev.lethe.core.events.DeletionRequestReader.Format;
import dev.lethe.core.events.DeletionRequestReader.Rejected;
import dev.lethe.core.events.DeletionRequestReader.Result;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DeletionRequestReaderTest {

    private static final String SUBJECT = "subject-secret-42";
    private static final String REQUEST = "request-7f3a";
    private static final int MAX_BYTES = 1024;
    private static final DeletionRequestReader READER = new DeletionRequestReader(MAX_BYTES);

    private static final String PLAIN = "{'requestId':'" + REQUEST + "','subjectId':'" + SUBJECT + "'}";

    /** One bad record and the words its rejection reason must contain. */
    record Case(String name, byte[] key, byte[] value, Map<String, byte[]> headers, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> badRecords() {
        byte[] invalidUtf8 = json(PLAIN);
        invalidUtf8[invalidUtf8.length - 5] = (byte) 0xFF;
        byte[] truncatedUtf8 = Arrays.copyOf(json(PLAIN), json(PLAIN).length + 1);
        truncatedUtf8[truncatedUtf8.length - 1] = (byte) 0xC3;
        // "/" written as the overlong two-byte form C0 AF, a classic filter bypass
        byte[] overlong = concat(json("{'requestId':'" + REQUEST + "','subjectId':'a"),
                new byte[] {(byte) 0xC0, (byte) 0xAF}, json("b'}"));
        Map<String, byte[]> badHeaderUtf8 = binaryHeaders();
        badHeaderUtf8.put(EventTypes.CE_ID, new byte[] {'i', (byte) 0xFE, 'd'});

        return Stream.of(
                // transport level
                new Case("tombstone", utf8(SUBJECT), null, Map.of(), "tombstone (null value)"),
                new Case("oversized value", utf8(SUBJECT),
                        json("{'requestId':'" + REQUEST + "','subjectId':'" + SUBJECT + "','pad':'" + "x".repeat(1100)
                                + "'}"),
                        Map.of(), "more than the limit of 1024"),
                new Case("empty value", null, new byte[0], Map.of(), "value is empty"),
                new Case("whitespace only", null, utf8("  \n "), Map.of(), "holds no JSON"),
                new Case("invalid UTF-8 byte", null, invalidUtf8, Map.of(), "value is not valid UTF-8"),
                new Case("truncated UTF-8 sequence", null, truncatedUtf8, Map.of(), "value is not valid UTF-8"),
                new Case("overlong UTF-8 encoding", null, overlong, Map.of(), "value is not valid UTF-8"),
                new Case("key not UTF-8", new byte[] {(byte) 0xC3, '('}, json(PLAIN), Map.of(),
                        "record key is not valid UTF-8"),
                // JSON syntax
                new Case("truncated JSON", null, json("{'requestId':'" + REQUEST + "', "), Map.of(),
                        "the value ends before the JSON is complete"),
                new Case("unquoted field names", null, utf8("{requestId: 1}"), Map.of(), "malformed JSON at line 1"),
                new Case("content after the JSON", null, json(PLAIN + " {}"), Map.of(),
                        "more content after the JSON value"),
                new Case("duplicate field", null,
                        json("{'requestId':'a','requestId':'b','subjectId':'" + SUBJECT + "'}"), Map.of(),
                        "a field appears twice"),
                new Case("array instead of object", null, utf8("[1,2]"), Map.of(),
                        "value must be a JSON object, was array"),
                new Case("string instead of object", null, json("'" + SUBJECT + "'"), Map.of(),
                        "value must be a JSON object, was string"),
                // fields
                new Case("missing requestId", null, json("{'subjectId':'" + SUBJECT + "'}"), Map.of(),
                        "requestId is missing"),
                new Case("missing subjectId", null, json("{'requestId':'" + REQUEST + "'}"), Map.of(),
                        "subjectId is missing"),
                new Case("null requestId", null, json("{'requestId':null,'subjectId':'" + SUBJECT + "'}"), Map.of(),
                        "requestId is missing"),
                new Case("numeric requestId", null, json("{'requestId':17,'subjectId':'" + SUBJECT + "'}"), Map.of(),
                        "requestId must be a JSON string, was number"),
                new Case("object subjectId", null, json("{'requestId':'" + REQUEST + "','subjectId':{'id':1}}"),
                        Map.of(), "subjectId must be a JSON string, was object"),
                new Case("boolean subjectId", null, json("{'requestId':'" + REQUEST + "','subjectId':true}"),
                        Map.of(), "subjectId must be a JSON string, was boolean"),
                new Case("blank requestId", null, json("{'requestId':'   ','subjectId':'" + SUBJECT + "'}"), Map.of(),
                        "requestId is blank"),
                new Case("empty subjectId", null, json("{'requestId':'" + REQUEST + "','subjectId':''}"), Map.of(),
                        "subjectId is blank"),
                new Case("subjectId with surrounding whitespace", null,
                        json("{'requestId':'" + REQUEST + "','subjectId':' " + SUBJECT + "'}"), Map.of(),
                        "subjectId has leading or trailing whitespace"),
                new Case("control character in requestId", null,
                        json("{'requestId':'re\\u0007q','subjectId':'" + SUBJECT + "'}"), Map.of(),
                        "requestId contains control characters"),
                new Case("requestId too long", null,
                        json("{'requestId':'" + "r".repeat(257) + "','subjectId':'" + SUBJECT + "'}"), Map.of(),
                        "requestId is longer than 256 characters"),
                new Case("requestedAt not a timestamp", null,
                        json("{'requestId':'" + REQUEST + "','subjectId':'" + SUBJECT + "','requestedAt':'yesterday'}"),
                        Map.of(), "requestedAt is not an RFC 3339 timestamp"),
                new Case("requestedAt as epoch number", null,
                        json("{'requestId':'" + REQUEST + "','subjectId':'" + SUBJECT + "','requestedAt':1700000000}"),
                        Map.of(), "requestedAt must be an RFC 3339 timestamp string, was number"),
                // keys
                new Case("key differs from subjectId", utf8("someone-else"), json(PLAIN), Map.of(),
                        "record key does not match subjectId"),
                new Case("empty key", new byte[0], json(PLAIN), Map.of(), "record key does not match subjectId"),
                // structured CloudEvents
                new Case("structured: unknown type", null, structured("type", "'com.example.other'"), Map.of(),
                        "unknown CloudEvent type 'com.example.other'"),
                new Case("structured: old specversion", null, structured("specversion", "'0.3'"), Map.of(),
                        "unsupported CloudEvent specversion '0.3'"),
                new Case("structured: numeric specversion", null, structured("specversion", "1.0"), Map.of(),
                        "CloudEvent specversion must be a JSON string, was number"),
                new Case("structured: no id", null, structured("id", null), Map.of(), "CloudEvent id is missing"),
                new Case("structured: blank source", null, structured("source", "' '"), Map.of(),
                        "CloudEvent source is blank"),
                new Case("structured: no type", null, structured("type", "null"), Map.of(),
                        "CloudEvent type is missing"),
                new Case("structured: no data", null, structured("data", "null"), Map.of(), "CloudEvent has no data"),
                new Case("structured: data is a string", null, structured("data", "'" + REQUEST + "'"), Map.of(),
                        "CloudEvent data must be a JSON object, was string"),
                new Case("structured: data_base64", null, structured("data", null, "data_base64", "'e30='"), Map.of(),
                        "data_base64 is not supported"),
                new Case("structured: datacontenttype not JSON", null, structured("datacontenttype", "'text/plain'"),
                        Map.of(), "CloudEvent datacontenttype must be application/json"),
                new Case("structured: data without subjectId", null,
                        structured("data", "{'requestId':'" + REQUEST + "'}"), Map.of(), "subjectId is missing"),
                new Case("structured: bad time", null, structured("time", "'26/11/2026'"), Map.of(),
                        "CloudEvent time is not an RFC 3339 timestamp"),
                new Case("structured: key differs from data.subjectId", utf8("someone-else"), structured(),
                        Map.of(), "record key does not match subjectId"),
                new Case("content-type says structured but value is plain", null, json(PLAIN),
                        Map.of(EventTypes.CONTENT_TYPE_HEADER, utf8("application/cloudevents+json; charset=UTF-8")),
                        "content-type says a structured CloudEvent but the value has no specversion"),
                // binary CloudEvents
                new Case("binary: unknown ce_type", null, json(PLAIN),
                        binaryHeaders(EventTypes.CE_TYPE, "com.example.other"),
                        "unknown CloudEvent type 'com.example.other'"),
                new Case("binary: no ce_id", null, json(PLAIN), binaryHeaders(EventTypes.CE_ID, null),
                        "header ce_id is missing"),
                new Case("binary: no ce_source", null, json(PLAIN), binaryHeaders(EventTypes.CE_SOURCE, null),
                        "header ce_source is missing"),
                new Case("binary: blank ce_type", null, json(PLAIN), binaryHeaders(EventTypes.CE_TYPE, ""),
                        "header ce_type is blank"),
                new Case("binary: old specversion", null, json(PLAIN), binaryHeaders(EventTypes.CE_SPECVERSION, "0.3"),
                        "unsupported CloudEvent specversion '0.3' in header ce_specversion"),
                new Case("binary: ce_ headers without ce_specversion", null, json(PLAIN),
                        binaryHeaders(EventTypes.CE_SPECVERSION, null), "without ce_specversion"),
                new Case("binary: header not UTF-8", null, json(PLAIN), badHeaderUtf8,
                        "header ce_id is not valid UTF-8"),
                new Case("binary: content-type not JSON", null, json(PLAIN),
                        binaryHeaders(EventTypes.CONTENT_TYPE_HEADER, "text/plain"),
                        "content-type of a binary-mode CloudEvent must be application/json"),
                new Case("binary headers and structured value", null, structured(), binaryHeaders(),
                        "both binary-mode ce_ headers and a structured CloudEvent value"),
                new Case("binary: bad ce_time", null, json(PLAIN), binaryHeaders(EventTypes.CE_TIME, "soon"),
                        "header ce_time is not an RFC 3339 timestamp"),
                new Case("binary: value without requestId", null, json("{'subjectId':'" + SUBJECT + "'}"),
                        binaryHeaders(), "requestId is missing"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRecords")
    void rejectsEveryKindOfBadRecordWithAReasonThatNamesTheProblemAndNoId(Case c) {
        Result result = READER.read(c.key(), c.value(), c.headers());

        assertThat(result).isInstanceOf(Rejected.class);
        assertThat(result.isAccepted()).isFalse();
        assertThat(((Rejected) result).reason())
                .contains(c.reason())
                .doesNotContain(SUBJECT)
                .doesNotContain(REQUEST);
    }

    @Test
    void acceptsPlainJsonKeyedBySubject() {
        Result result = READER.read(utf8(SUBJECT),
                json("{'requestId':'" + REQUEST + "','subjectId':'" + SUBJECT
                        + "','requestedAt':'2026-11-26T10:15:30+01:00','note':'ignored'}"),
                Map.of("traceparent", utf8("00-abc-def-01")));

        assertThat(result).isEqualTo(new Accepted(
                new DeletionRequest(REQUEST, SUBJECT, Instant.parse("2026-11-26T09:15:30Z")), Format.PLAIN_JSON));
    }

    @Test
    void acceptsARecordWithoutAKeyBecauseTheValueNamesTheSubject() {
        Result result = READER.read(null, json(PLAIN), null);

        assertThat(result).isEqualTo(new Accepted(new DeletionRequest(REQUEST, SUBJECT, null), Format.PLAIN_JSON));
    }

    @Test
    void acceptsAStructuredCloudEventAndTakesItsTimeWhenTheDataHasNone() {
        Result result = READER.read(utf8(SUBJECT), structured("datacontenttype", "'application/json; charset=utf-8'"),
                Map.of(EventTypes.CONTENT_TYPE_HEADER, utf8(EventTypes.STRUCTURED_CONTENT_TYPE)));

        assertThat(result).isEqualTo(new Accepted(
                new DeletionRequest(REQUEST, SUBJECT, Instant.parse("2026-11-26T10:00:00Z")),
                Format.STRUCTURED_CLOUD_EVENT));
    }

    @Test
    void aRequestedAtInTheDataWinsOverTheCloudEventTime() {
        Result result = READER.read(null, structured("data", "{'requestId':'" + REQUEST + "','subjectId':'" + SUBJECT
                + "','requestedAt':'2026-11-20T08:00:00Z'}"), Map.of());

        assertThat(((Accepted) result).request().requestedAt()).isEqualTo(Instant.parse("2026-11-20T08:00:00Z"));
    }

    @Test
    void acceptsABinaryCloudEventWithItsAttributesInHeaders() {
        Map<String, byte[]> headers = binaryHeaders(EventTypes.CE_TIME, "2026-11-26T11:00:00.250Z");
        headers.put(EventTypes.CONTENT_TYPE_HEADER, utf8("application/json"));

        Result result = READER.read(utf8(SUBJECT), json(PLAIN), headers);

        assertThat(result).isEqualTo(new Accepted(
                new DeletionRequest(REQUEST, SUBJECT, Instant.parse("2026-11-26T11:00:00.250Z")),
                Format.BINARY_CLOUD_EVENT));
    }

    @Test
    void neverThrowsWhateverTheBytes() {
        Random random = new Random(7);
        byte[] valid = structured();
        int accepted = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] value;
            if (i % 2 == 0) {
                value = new byte[random.nextInt(64)];
                random.nextBytes(value);
            } else {
                value = valid.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    value[random.nextInt(value.length)] = (byte) random.nextInt(256);
                }
            }
            Map<String, byte[]> headers = i % 3 == 0 ? binaryHeaders() : Map.of();
            Result result = READER.read(i % 5 == 0 ? value : null, value, headers);
            assertThat(result).isNotNull();
            if (result.isAccepted()) {
                accepted++;
            } else {
                assertThat(((Rejected) result).reason()).isNotBlank();
            }
        }
        // Some flips land in ignorable places (e.g. inside the source string): both outcomes occur.
        assertThat(accepted).isPositive().isLessThan(5_000);
    }

    @Test
    void aRequestNeverPrintsTheSubjectId() {
        assertThat(new DeletionRequest(REQUEST, SUBJECT, null).toString()).contains(REQUEST).doesNotContain(SUBJECT);
    }

    @Test
    void aNonPositiveSizeLimitIsAProgrammingError() {
        assertThatThrownBy(() -> new DeletionRequestReader(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new DeletionRequestReader().maxValueBytes()).isEqualTo(DeletionRequestReader.DEFAULT_MAX_VALUE_BYTES);
    }

    // ---- helpers ------------------------------------------------------------------------------

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** JSON written with single quotes, for readability. */
    static byte[] json(String singleQuoted) {
        return utf8(singleQuoted.replace('\'', '"'));
    }

    /**
     * A valid structured CloudEvent with pairs of (attribute, single-quoted JSON value) changed; a
     * Java null value removes the attribute, the string "null" makes it JSON null.
     */
    static byte[] structured(String... changes) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("specversion", "'1.0'");
        attributes.put("id", "'ce-1'");
        attributes.put("source", "'urn:privacy-portal'");
        attributes.put("type", "'" + EventTypes.DELETION_REQUESTED + "'");
        attributes.put("time", "'2026-11-26T10:00:00Z'");
        attributes.put("data", PLAIN);
        for (int i = 0; i < changes.length; i += 2) {
            if (changes[i + 1] == null) {
                attributes.remove(changes[i]);
            } else {
                attributes.put(changes[i], changes[i + 1]);
            }
        }
        StringBuilder b = new StringBuilder("{");
        attributes.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('\'').append(k).append("':").append(v));
        return json(b.append('}').toString());
    }

    /** Valid binary-mode headers, with pairs of (name, value) changed; a null value removes the header. */
    static Map<String, byte[]> binaryHeaders(String... changes) {
        Map<String, byte[]> headers = new HashMap<>();
        headers.put(EventTypes.CE_SPECVERSION, utf8("1.0"));
        headers.put(EventTypes.CE_ID, utf8("ce-1"));
        headers.put(EventTypes.CE_SOURCE, utf8("urn:privacy-portal"));
        headers.put(EventTypes.CE_TYPE, utf8(EventTypes.DELETION_REQUESTED));
        for (int i = 0; i < changes.length; i += 2) {
            if (changes[i + 1] == null) {
                headers.remove(changes[i]);
            } else {
                headers.put(changes[i], utf8(changes[i + 1]));
            }
        }
        return headers;
    }
}
