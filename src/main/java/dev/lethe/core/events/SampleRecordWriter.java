package dev.lethe.core.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Writes samples-topic records in the format {@link SampleRecordReader} reads. */
public final class SampleRecordWriter {

    private SampleRecordWriter() {
    }

    /** The record key: the sample id in UTF-8. */
    public static byte[] key(SampleRecord sample) {
        return sample.sampleId().getBytes(StandardCharsets.UTF_8);
    }

    /** The record value: compact JSON, UTF-8. */
    public static byte[] encode(SampleRecord sample) {
        ObjectNode json = Inputs.MAPPER.createObjectNode();
        json.put("sampleId", sample.sampleId());
        json.put("subjectId", sample.subjectId());
        json.put("label", sample.label());
        json.put("split", sample.split());
        ArrayNode shape = json.putArray("shape");
        for (int d : sample.shape()) {
            shape.add(d);
        }
        json.put("features", encodeFeatures(sample.features()));
        try {
            return Inputs.MAPPER.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a sample", e);
        }
    }

    /** Base64 (RFC 4648) of the values as little-endian IEEE-754 float32. */
    public static String encodeFeatures(float[] features) {
        ByteBuffer bytes = ByteBuffer.allocate(features.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(features);
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
