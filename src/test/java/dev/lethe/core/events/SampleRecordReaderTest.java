package dev.lethe.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.lethe.core.events.SampleRecordReader.Accepted;
import dev.lethe.core.events.SampleRecordReader.Rejected;
import dev.lethe.core.events.SampleRecordReader.Result;
import dev.lethe.core.events.SampleRecordReader.Tombstone;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SampleRecordReaderTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String SUBJECT = "subject-secret-42";
    private static final SampleRecordReader READER = new SampleRecordReader();

    @Test
    void aSampleSurvivesEncodeAndReadBitForBit() {
        SampleRecord sample = sample("s-1", randomFeatures(784, 1));

        Result result = READER.read(SampleRecordWriter.key(sample), SampleRecordWriter.encode(sample), Map.of());

        assertThat(result).isInstanceOf(Accepted.class);
        SampleRecord read = ((Accepted) result).sample();
        assertThat(read).isEqualTo(sample);
        assertThat(read.features()).containsExactly(sample.features());
        assertThat(read.shape()).containsExactly(1, 28, 28);
    }

    @Test
    void featuresAreLittleEndianFloat32() {
        // 1.0f is 0x3F800000: little-endian bytes 00 00 80 3F.
        assertThat(SampleRecordWriter.encodeFeatures(new float[] {1.0f})).isEqualTo("AACAPw==");
        SampleRecordReader anyShape = new SampleRecordReader(null, 10, 1024);
        ObjectNode json = validJson(new int[] {1}, "AACAPw==");

        Result result = anyShape.read(null, bytes(json), Map.of());

        assertThat(((Accepted) result).sample().features()).containsExactly(1.0f);
    }

    @Test
    void aNullValueIsATombstoneForTheKeyedSample() {
        assertThat(READER.read(utf8("s-9"), null, Map.of())).isEqualTo(new Tombstone("s-9"));
        assertThat(READER.read(null, null, Map.of()))
                .isEqualTo(new Rejected("tombstone (null value) without a key: nothing to delete"));
    }

    @Test
    void theExpectedShapeAndNumberOfClassesAreConfigurable() {
        SampleRecordReader reader = new SampleRecordReader(null, 3, 4096);
        SampleRecord sample = new SampleRecord("s-2", SUBJECT, 2, SampleRecord.HOLDOUT, new int[] {2, 3},
                randomFeatures(6, 2));

        assertThat(reader.read(null, SampleRecordWriter.encode(sample), Map.of()))
                .isEqualTo(new Accepted(sample));
        ObjectNode labelThree = (ObjectNode) readTree(SampleRecordWriter.encode(sample));
        labelThree.put("label", 3);
        assertThat(reason(reader.read(null, bytes(labelThree), Map.of()))).isEqualTo("label 3 is outside [0, 3)");
        assertThat(reason(READER.read(null, SampleRecordWriter.encode(sample), Map.of())))
                .isEqualTo("shape [2, 3] differs from the expected [1, 28, 28]");
    }

    record Case(String name, Consumer<ObjectNode> change, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> badValues() {
        float[] nan = new float[784];
        nan[5] = Float.NaN;
        float[] inf = new float[784];
        inf[7] = Float.POSITIVE_INFINITY;
        float[] negInf = new float[784];
        negInf[783] = Float.NEGATIVE_INFINITY;
        return Stream.of(
                new Case("missing sampleId", j -> j.remove("sampleId"), "sampleId is missing"),
                new Case("blank subjectId", j -> j.put("subjectId", " "), "subjectId is blank"),
                new Case("numeric subjectId", j -> j.put("subjectId", 42), "subjectId must be a JSON string, was number"),
                new Case("missing label", j -> j.remove("label"), "label is missing"),
                new Case("negative label", j -> j.put("label", -1), "label -1 is outside [0, 10)"),
                new Case("label = numClasses", j -> j.put("label", 10), "label 10 is outside [0, 10)"),
                new Case("huge label", j -> j.put("label", new java.math.BigInteger("100000000000000000000")),
                        "label 100000000000000000000 is outside [0, 10)"),
                new Case("fractional label", j -> j.put("label", 2.5),
                        "label must be a JSON integer, was number with a fraction"),
                new Case("label as string", j -> j.put("label", "3"), "label must be a JSON integer, was string"),
                new Case("unknown split", j -> j.put("split", "test"),
                        "split must be \"train\" or \"holdout\", was 'test'"),
                new Case("missing split", j -> j.remove("split"), "split is missing"),
                new Case("wrong shape", j -> j.set("shape", ints(1, 28, 29)),
                        "shape [1, 28, 29] differs from the expected [1, 28, 28]"),
                new Case("zero dimension", j -> j.set("shape", ints(1, 0, 28)), "shape[1] must be a positive integer"),
                new Case("negative dimension", j -> j.set("shape", ints(-1, 28, 28)),
                        "shape[0] must be a positive integer"),
                new Case("fractional dimension", j -> j.set("shape", NODES.arrayNode().add(1).add(28.5).add(28)),
                        "shape[1] must be a positive integer"),
                new Case("empty shape", j -> j.set("shape", NODES.arrayNode()), "shape must have 1 to 8 dimensions, has 0"),
                new Case("shape as string", j -> j.put("shape", "1x28x28"),
                        "shape must be a JSON array of positive integers, was string"),
                new Case("overflowing shape", j -> j.set("shape", ints(65536, 65536, 1)), "shape is too large"),
                new Case("missing features", j -> j.remove("features"), "features is missing"),
                new Case("features as array", j -> j.set("features", ints(1, 2)),
                        "features must be a base64 JSON string, was array"),
                new Case("features not base64", j -> j.put("features", "not*base64"), "features is not valid base64"),
                new Case("features with line breaks", j -> j.put("features", "AACA\nPw=="),
                        "features is not valid base64"),
                new Case("features not whole floats", j -> j.put("features", "AAAA"),
                        "features decode to 3 bytes, not a whole number of float32 values"),
                new Case("one value too few", j -> j.put("features", SampleRecordWriter.encodeFeatures(new float[783])),
                        "features hold 783 float32 values but shape [1, 28, 28] needs 784"),
                new Case("NaN feature", j -> j.put("features", SampleRecordWriter.encodeFeatures(nan)),
                        "features[5] is NaN"),
                new Case("infinite feature", j -> j.put("features", SampleRecordWriter.encodeFeatures(inf)),
                        "features[7] is infinite"),
                new Case("negative infinite feature", j -> j.put("features", SampleRecordWriter.encodeFeatures(negInf)),
                        "features[783] is infinite"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void rejectsABadValueWithItsReason(Case c) {
        ObjectNode json = (ObjectNode) readTree(SampleRecordWriter.encode(sample("s-1", randomFeatures(784, 3))));
        c.change().accept(json);

        Result result = READER.read(utf8("s-1"), bytes(json), Map.of());

        assertThat(reason(result)).startsWith(c.reason()).doesNotContain(SUBJECT);
    }

    @Test
    void rejectsTransportLevelProblemsWithTheirReasons() {
        byte[] valid = SampleRecordWriter.encode(sample("s-1", randomFeatures(784, 4)));
        byte[] invalidUtf8 = valid.clone();
        invalidUtf8[20] = (byte) 0xFF;

        assertThat(reason(READER.read(utf8("s-2"), valid, Map.of())))
                .isEqualTo("record key does not match sampleId (key samples by sample id)");
        assertThat(reason(new SampleRecordReader(null, 10, 100).read(null, valid, Map.of())))
                .isEqualTo("value is " + valid.length + " bytes, more than the limit of 100");
        assertThat(reason(READER.read(null, invalidUtf8, Map.of())))
                .startsWith("value is not valid UTF-8");
        assertThat(reason(READER.read(null, Arrays.copyOf(valid, valid.length - 1), Map.of())))
                .isEqualTo("malformed JSON: the value ends before the JSON is complete");
        assertThat(reason(READER.read(new byte[] {(byte) 0xFF}, null, Map.of())))
                .startsWith("record key is not valid UTF-8");
    }

    @Test
    void aSampleIsImmutableAndNeverPrintsItsSubject() {
        float[] features = {1f, 2f};
        int[] shape = {2};
        SampleRecord sample = new SampleRecord("s-1", SUBJECT, 0, SampleRecord.TRAIN, shape, features);
        features[0] = 99f;
        shape[0] = 7;
        sample.features()[1] = 99f;

        assertThat(sample.features()).containsExactly(1f, 2f);
        assertThat(sample.shape()).containsExactly(2);
        assertThat(sample.toString()).contains("s-1").doesNotContain(SUBJECT);
        assertThatThrownBy(() -> new SampleRecord("s-1", SUBJECT, 0, SampleRecord.TRAIN, new int[] {3}, new float[2]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SampleRecord("s-1", SUBJECT, 0, "test", new int[] {2}, new float[2]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- helpers ------------------------------------------------------------------------------

    static SampleRecord sample(String id, float[] features) {
        return new SampleRecord(id, SUBJECT, 7, SampleRecord.TRAIN, new int[] {1, 28, 28}, features);
    }

    /** Gaussian values plus the awkward ones: signed zeros, the smallest subnormal, the extremes. */
    static float[] randomFeatures(int n, long seed) {
        Random random = new Random(seed);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) random.nextGaussian();
        }
        float[] awkward = {-0.0f, 0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.MIN_NORMAL};
        System.arraycopy(awkward, 0, f, 0, Math.min(awkward.length, n));
        return f;
    }

    static ObjectNode validJson(int[] shape, String features) {
        ObjectNode json = NODES.objectNode();
        json.put("sampleId", "s-1").put("subjectId", SUBJECT).put("label", 1).put("split", "train");
        json.set("shape", ints(shape));
        json.put("features", features);
        return json;
    }

    static com.fasterxml.jackson.databind.node.ArrayNode ints(int... values) {
        com.fasterxml.jackson.databind.node.ArrayNode array = NODES.arrayNode();
        for (int v : values) {
            array.add(v);
        }
        return array;
    }

    static String reason(Result result) {
        assertThat(result).isInstanceOf(Rejected.class);
        return ((Rejected) result).reason();
    }

    static JsonNode readTree(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] bytes(JsonNode json) {
        return utf8(json.toString());
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
