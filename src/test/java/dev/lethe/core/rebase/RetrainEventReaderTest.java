package dev.lethe.core.rebase;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.rebase.RetrainEventReader.Accepted;
import dev.lethe.core.rebase.RetrainEventReader.Rejected;
import dev.lethe.core.rebase.RetrainEventReader.Result;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RetrainEventReaderTest {

    private static final String MODEL = "fashion-secret-model";
    private static final String EVENT_ID = "retrain-id-9c1e";
    private static final String SHA = "ab".repeat(32);
    private static final RetrainEventReader READER = new RetrainEventReader();
    private static final String DATA = "{'model':'" + MODEL + "','artifactUri':'s3://models/r1.pt','sha256':'" + SHA
            + "','samplesPosition':{'0':123,'2':7},'trainedAt':'2026-12-01T10:00:00Z'}";

    /** One bad record and the words its rejection reason must contain. */
    record Case(String name, byte[] key, byte[] value, Map<String, byte[]> headers, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> badRecords() {
        Map<String, byte[]> noId = binaryHeaders();
        noId.remove(EventTypes.CE_ID);
        Map<String, byte[]> otherType = binaryHeaders();
        otherType.put(EventTypes.CE_TYPE, utf8(EventTypes.DELETION_REQUESTED));
        return Stream.of(
                new Case("tombstone", utf8(MODEL), null, Map.of(), "tombstone (null value)"),
                new Case("plain JSON", null, json(DATA), Map.of(), "not a CloudEvent"),
                new Case("another CloudEvent type", null, structured(DATA,
                        EventTypes.DELETION_REQUESTED, "'time':'2026-12-01T10:00:00Z'"), Map.of(), "unknown CloudEvent type"),
                new Case("binary without ce_id", null, json(DATA), noId, "header ce_id is missing"),
                new Case("binary of another type", null, json(DATA), otherType, "unknown CloudEvent type"),
                new Case("key is not the model", utf8("other-model"), structured(DATA), Map.of(),
                        "record key does not match model"),
                new Case("model missing", null, structured(DATA.replace("'model':'" + MODEL + "',", "")), Map.of(),
                        "model is missing"),
                new Case("artifactUri missing", null, structured(DATA.replace("'artifactUri':'s3://models/r1.pt',", "")),
                        Map.of(), "artifactUri is missing"),
                new Case("sha256 upper case", null, structured(DATA.replace(SHA, SHA.toUpperCase())), Map.of(),
                        "sha256 must be 64 lowercase hex digits"),
                new Case("unknown format", null, structured(DATA.replace("'samplesPosition'", "'format':'onnx','samplesPosition'")),
                        Map.of(), "format must be torchscript or lethe"),
                new Case("samplesPosition missing", null, structured(DATA.replace("'samplesPosition':{'0':123,'2':7},", "")),
                        Map.of(), "samplesPosition is missing"),
                new Case("samplesPosition empty", null, structured(DATA.replace("{'0':123,'2':7}", "{}")), Map.of(),
                        "at least one partition"),
                new Case("samplesPosition an array", null, structured(DATA.replace("{'0':123,'2':7}", "[123]")), Map.of(),
                        "samplesPosition must be a JSON object, was array"),
                new Case("negative partition", null, structured(DATA.replace("'2':7", "'-2':7")), Map.of(),
                        "keys must be partition numbers"),
                new Case("partition with a leading zero", null, structured(DATA.replace("'2':7", "'02':7")), Map.of(),
                        "keys must be partition numbers"),
                new Case("negative offset", null, structured(DATA.replace("'2':7", "'2':-7")), Map.of(),
                        "offsets must be integers >= 0"),
                new Case("fractional offset", null, structured(DATA.replace("'2':7", "'2':7.5")), Map.of(),
                        "offsets must be integers >= 0"),
                new Case("no trainedAt and no time", null,
                        structured(DATA.replace(",'trainedAt':'2026-12-01T10:00:00Z'", "")), Map.of(),
                        "trainedAt is missing and the CloudEvent has no time"),
                new Case("trainedAt not a timestamp", null, structured(DATA.replace("2026-12-01T10:00:00Z", "yesterday")),
                        Map.of(), "trainedAt is not an RFC 3339 timestamp"),
                new Case("value over 64 KiB", null, padded(RetrainEventReader.DEFAULT_MAX_VALUE_BYTES + 1), Map.of(),
                        "more than the limit of 65536"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRecords")
    void a_bad_record_is_rejected_with_its_reason_and_without_any_id(Case c) {
        Result result = READER.read(c.key(), c.value(), c.headers());

        assertThat(result).isInstanceOf(Rejected.class);
        String reason = ((Rejected) result).reason();
        assertThat(reason).contains(c.reason()).doesNotContain(MODEL).doesNotContain(EVENT_ID);
    }

    @Test
    void a_structured_cloud_event_is_read_with_every_field() {
        Result result = READER.read(utf8(MODEL), structured(DATA), Map.of());

        assertThat(result).isInstanceOf(Accepted.class);
        RetrainEvent event = ((Accepted) result).event();
        assertThat(event.id()).isEqualTo(EVENT_ID);
        assertThat(event.model()).isEqualTo(MODEL);
        assertThat(event.artifactUri()).isEqualTo("s3://models/r1.pt");
        assertThat(event.sha256()).isEqualTo(SHA);
        assertThat(event.format()).isEqualTo(ModelVersionEvent.TORCHSCRIPT);
        assertThat(event.samplesPosition()).containsExactly(Map.entry(0, 123L), Map.entry(2, 7L));
        assertThat(event.trainedAt()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
    }

    @Test
    void a_binary_cloud_event_without_a_key_is_read_the_same_way() {
        Result result = READER.read(null, json(DATA.replace("'samplesPosition'", "'format':'lethe','samplesPosition'")),
                binaryHeaders());

        assertThat(result).isInstanceOf(Accepted.class);
        RetrainEvent event = ((Accepted) result).event();
        assertThat(event.id()).isEqualTo(EVENT_ID);
        assertThat(event.format()).isEqualTo(ModelVersionEvent.LETHE);
        assertThat(event.samplesPosition()).containsEntry(0, 123L).containsEntry(2, 7L);
    }

    @Test
    void without_trained_at_the_cloud_event_time_is_used() {
        String noTrainedAt = DATA.replace(",'trainedAt':'2026-12-01T10:00:00Z'", "");

        Result structured = READER.read(null, structured(noTrainedAt, EventTypes.MODEL_RETRAINED,
                "'time':'2026-11-30T08:00:00+01:00'"), Map.of());
        Map<String, byte[]> headers = binaryHeaders();
        headers.put(EventTypes.CE_TIME, utf8("2026-11-30T07:00:00Z"));
        Result binary = READER.read(null, json(noTrainedAt), headers);

        assertThat(((Accepted) structured).event().trainedAt()).isEqualTo(Instant.parse("2026-11-30T07:00:00Z"));
        assertThat(((Accepted) binary).event().trainedAt()).isEqualTo(Instant.parse("2026-11-30T07:00:00Z"));
    }

    @Test
    void a_value_of_exactly_64_KiB_is_still_read() {
        assertThat(READER.read(null, padded(RetrainEventReader.DEFAULT_MAX_VALUE_BYTES), Map.of()).isAccepted())
                .isTrue();
    }

    @Test
    void random_bytes_are_rejected_without_an_exception() {
        Random random = new Random(16);
        for (int i = 0; i < 2_000; i++) {
            byte[] value = new byte[random.nextInt(200)];
            random.nextBytes(value);
            Map<String, byte[]> headers = random.nextBoolean() ? Map.of() : binaryHeaders();

            Result result = READER.read(random.nextBoolean() ? null : value, value, headers);

            assertThat(result).isInstanceOf(Rejected.class);
            assertThat(((Rejected) result).reason()).isNotBlank();
        }
    }

    // ---- helpers --------------------------------------------------------------------------

    private static byte[] structured(String data) {
        return structured(data, EventTypes.MODEL_RETRAINED, null);
    }

    private static byte[] structured(String data, String type, String extra) {
        return json("{'specversion':'1.0','id':'" + EVENT_ID + "','source':'urn:pipeline','type':'" + type + "',"
                + (extra == null ? "" : extra + ",") + "'data':" + data + "}");
    }

    /** A structured event padded with a field to exactly {@code bytes} bytes. */
    private static byte[] padded(int bytes) {
        int base = structured(DATA.replace("'model'", "'pad':'','model'")).length;
        return structured(DATA.replace("'model'", "'pad':'" + "x".repeat(bytes - base) + "','model'"));
    }

    private static Map<String, byte[]> binaryHeaders() {
        Map<String, byte[]> headers = new HashMap<>();
        headers.put(EventTypes.CE_SPECVERSION, utf8("1.0"));
        headers.put(EventTypes.CE_ID, utf8(EVENT_ID));
        headers.put(EventTypes.CE_SOURCE, utf8("urn:pipeline"));
        headers.put(EventTypes.CE_TYPE, utf8(EventTypes.MODEL_RETRAINED));
        return headers;
    }

    private static byte[] json(String singleQuoted) {
        return utf8(singleQuoted.replace('\'', '"'));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
