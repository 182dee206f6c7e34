package dev.lethe.reliability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The bad records {@link BadInputAndErasureIT} sends to both input topics, each with where it must
 * go: the dead-letter queue, accepted, or refused by the broker before Lethe sees it.
 */
final class BadInputs {

    /** The daemon's {@code lethe.ingest.max-request-bytes} in the test. */
    static final int MAX_REQUEST_BYTES = 1024;
    /** The daemon's {@code lethe.ingest.max-sample-bytes} in the test. */
    static final int MAX_SAMPLE_BYTES = 16 * 1024;
    /** The subject every bad input names. */
    static final String SUBJECT = "person-bad-input-0001";

    private BadInputs() {
    }

    /** One bad input: the record, and where it must go. */
    record Bad(String name, String topic, byte[] key, byte[] value, Map<String, String> headers, String expected) {
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] sample(String sampleId, String subject, int label, String split, int[] shape, int floats) {
        float[] f = new float[floats];
        java.util.Arrays.fill(f, 0.5f);
        String features = Base64.getEncoder().encodeToString(floatBytes(f));
        return b("{\"sampleId\":\"" + sampleId + "\",\"subjectId\":\"" + subject + "\",\"label\":" + label
                + ",\"split\":\"" + split + "\",\"shape\":" + java.util.Arrays.toString(shape).replace(" ", "")
                + ",\"features\":\"" + features + "\"}");
    }

    static byte[] floatBytes(float[] f) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(f.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float x : f) {
            buf.putFloat(x);
        }
        return buf.array();
    }

    /** Where a bad input must go. */
    static final String DLQ = "dead letter";
    static final String ACCEPTED = "accepted";
    static final String BROKER = "refused by the broker";

    /** Every bad input, in the order they are sent. */
    static List<Bad> all() {
        String subject = SUBJECT;
        byte[] invalidUtf8 = {'{', '"', 'r', 'e', 'q', 'u', 'e', 's', 't', 'I', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28,
            '"', '}'};
        String q = Fixture.REQUESTS;
        String s = Fixture.SAMPLES;
        List<Bad> list = new ArrayList<>();
        list.add(new Bad("malformed JSON", q, b(subject), b("{\"requestId\": \"r-bad-1\","), Map.of(), DLQ));
        list.add(new Bad("not a JSON object (array)", q, b(subject), b("[1,2,3]"), Map.of(), DLQ));
        list.add(new Bad("wrong type (requestId a number)", q, b(subject),
                b("{\"requestId\":42,\"subjectId\":\"" + subject + "\"}"), Map.of(), DLQ));
        list.add(new Bad("missing field (no subjectId)", q, b(subject), b("{\"requestId\":\"r-bad-3\"}"), Map.of(), DLQ));
        list.add(new Bad("oversized value (> lethe.ingest.max-request-bytes = " + MAX_REQUEST_BYTES + ")", q, b(subject),
                b("{\"requestId\":\"r-bad-4\",\"subjectId\":\"" + subject + "\",\"note\":\"" + "x".repeat(2000) + "\"}"),
                Map.of(), DLQ));
        list.add(new Bad("oversized id (requestId of 300 characters)", q, b(subject),
                b(Fixture.requestJson("r" + "9".repeat(299), subject)), Map.of(), DLQ));
        list.add(new Bad("unknown CloudEvent type (structured)", q, b(subject),
                b("{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"test\",\"type\":\"dev.lethe.deletion.cancelled\","
                        + "\"datacontenttype\":\"application/json\",\"data\":{\"requestId\":\"r-bad-6\",\"subjectId\":\""
                        + subject + "\"}}"), Map.of(), DLQ));
        list.add(new Bad("unknown CloudEvent type (binary, ce_ headers)", q, b(subject),
                b(Fixture.requestJson("r-bad-7", subject)),
                Map.of("ce_specversion", "1.0", "ce_id", "e2", "ce_source", "test", "ce_type", "com.example.other",
                        "content-type", "application/json"), DLQ));
        list.add(new Bad("invalid UTF-8 in the value", q, b(subject), invalidUtf8, Map.of(), DLQ));
        list.add(new Bad("invalid UTF-8 in the key", q, new byte[] {(byte) 0xFF, (byte) 0xFE},
                b(Fixture.requestJson("r-bad-9", subject)), Map.of(), DLQ));
        list.add(new Bad("key differs from subjectId", q, b("someone-else"), b(Fixture.requestJson("r-bad-10", subject)),
                Map.of(), DLQ));
        list.add(new Bad("tombstone (null value) on the requests topic", q, b(subject), null, Map.of(), DLQ));
        list.add(new Bad("null key, valid value (the key only partitions)", q, null,
                b(Fixture.requestJson("r-null-key", subject)), Map.of(), ACCEPTED));

        int[] shape = Fixture.SHAPE;
        list.add(new Bad("sample: malformed JSON", s, b("bad-s1"), b("{\"sampleId\":"), Map.of(), DLQ));
        list.add(new Bad("sample: wrong shape [1,14,14]", s, b("bad-s2"),
                sample("bad-s2", subject, 1, "train", new int[] {1, 14, 14}, 196), Map.of(), DLQ));
        list.add(new Bad("sample: features length does not match shape", s, b("bad-s3"),
                sample("bad-s3", subject, 1, "train", shape, 100), Map.of(), DLQ));
        list.add(new Bad("sample: label out of range (10 of 10 classes)", s, b("bad-s4"),
                sample("bad-s4", subject, 10, "train", shape, 784), Map.of(), DLQ));
        list.add(new Bad("sample: label out of range (-1)", s, b("bad-s5"),
                sample("bad-s5", subject, -1, "train", shape, 784), Map.of(), DLQ));
        list.add(new Bad("sample: wrong type (label a string)", s, b("bad-s6"),
                b(new String(sample("bad-s6", subject, 3, "train", shape, 784), StandardCharsets.UTF_8)
                        .replace("\"label\":3", "\"label\":\"three\"")), Map.of(), DLQ));
        list.add(new Bad("sample: missing field (no features)", s, b("bad-s7"),
                b("{\"sampleId\":\"bad-s7\",\"subjectId\":\"" + subject + "\",\"label\":1,\"split\":\"train\","
                        + "\"shape\":[1,28,28]}"), Map.of(), DLQ));
        list.add(new Bad("sample: unknown split", s, b("bad-s8"),
                sample("bad-s8", subject, 1, "validation", shape, 784), Map.of(), DLQ));
        float[] nan = new float[784];
        nan[5] = Float.NaN;
        list.add(new Bad("sample: NaN feature", s, b("bad-s9"),
                b(new String(sample("bad-s9", subject, 1, "train", shape, 784), StandardCharsets.UTF_8).replaceAll(
                        "\"features\":\"[^\"]*\"", "\"features\":\"" + Base64.getEncoder().encodeToString(floatBytes(nan))
                                + "\"")), Map.of(), DLQ));
        list.add(new Bad("sample: oversized value (> lethe.ingest.max-sample-bytes = " + MAX_SAMPLE_BYTES + ")", s,
                b("bad-s10"), sample("bad-s10", subject, 1, "train", shape, 784 * 4), Map.of(), DLQ));
        list.add(new Bad("sample: invalid UTF-8", s, b("bad-s11"), invalidUtf8, Map.of(), DLQ));
        list.add(new Bad("sample: key differs from sampleId", s, b("bad-s12-key"),
                sample("bad-s12", subject, 1, "train", shape, 784), Map.of(), DLQ));
        // A compacted topic refuses keyless records at the broker; nothing reaches Lethe.
        list.add(new Bad("sample: tombstone without a key", s, null, null, Map.of(), BROKER));
        list.add(new Bad("sample: features not base64", s, b("bad-s13"),
                b(new String(sample("bad-s13", subject, 1, "train", shape, 784), StandardCharsets.UTF_8)
                        .replaceAll("\"features\":\"[^\"]*\"", "\"features\":\"***\"")), Map.of(), DLQ));
        return list;
    }
}
