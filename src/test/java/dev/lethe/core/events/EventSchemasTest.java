package dev.lethe.core.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.lethe.core.rebase.RetrainEventReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JSON Schemas and the AsyncAPI document must describe what the code writes and reads. No
 * validator library: a small check of type, required, enum, pattern and undeclared properties.
 */
class EventSchemasTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> SCHEMAS =
            List.of("sample.json", "deletion-request.json", "model-version.json", "audit-event.json", "retrain.json");

    @ParameterizedTest
    @ValueSource(strings = {"sample.json", "deletion-request.json", "model-version.json", "audit-event.json", "retrain.json"})
    void eachSchemaIsDraft2020_12JsonWhoseRequiredPropertiesAreDeclared(String file) throws IOException {
        JsonNode schema = schema(file);

        assertThat(schema.get("$schema").textValue()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.get("$id").textValue()).startsWith("urn:lethe:schema:");
        assertThat(schema.get("type").textValue()).isEqualTo("object");
        List<String> required = texts(schema.get("required"));
        assertThat(required).isNotEmpty();
        assertThat(iterable(schema.get("properties").fieldNames())).containsAll(required);
    }

    @Test
    void publishedModelVersionsMatchTheirSchema() throws IOException {
        for (ModelVersionEvent v : List.of(CloudEventJsonTest.version(1, null), CloudEventJsonTest.version(5, 4L),
                new ModelVersionEvent("m", 2, 1L, "file:///m", "00".repeat(32), 1, Instant.EPOCH, List.of(), 0,
                        new ModelVersionEvent.Metrics(Double.NaN, Double.NaN, Double.NaN, Double.NaN), "gpu"),
                new ModelVersionEvent("m", 7, null, "file:///m7", "0a".repeat(32), 1, Instant.EPOCH, List.of("r-1"), 3,
                        new ModelVersionEvent.Metrics(0.5, 0.8, 0.5, 0.6), "cpu", ModelVersionEvent.TORCHSCRIPT, null,
                        new ModelVersionEvent.Rebase("retrain-1", java.util.Map.of(0, 12L, 1, 7L))))) {
            JsonNode data = CloudEventJson.modelVersionPublished(v).data();
            assertThat(violations(schema("model-version.json"), data, "data")).isEmpty();
        }
    }

    @Test
    void publishedAuditEventsOfEveryTypeMatchTheirSchema() throws IOException {
        List<AuditEvent> events = new ArrayList<>(AuditChainTest.chainOfFive());
        events.add(AuditChain.genesis().append(AuditEvent.retired("retire-m-v1", "ab".repeat(32), 1,
                "superseded by v3 for P7D")));
        events.add(AuditChain.genesis().append(AuditEvent.rebased("retrain-1", "ab".repeat(32), 7, 3,
                new AuditEvent.Mia(0.5, 0.6, 0.55, true), "retrain adopted as base version 7", null)));
        events.add(AuditChain.genesis().append(AuditEvent.rebaseRefused("retrain-2", "ab".repeat(32), null,
                "the retrain is older than the base")));
        assertThat(events).extracting(AuditEvent::type).containsExactlyElementsOf(EventTypes.AUDIT_TYPES);
        for (AuditEvent e : events) {
            JsonNode data = CloudEventJson.audit(Instant.EPOCH, e).data();
            assertThat(violations(schema("audit-event.json"), data, "data")).as(e.type()).isEmpty();
        }
        assertThat(texts(schema("audit-event.json").get("properties").get("type").get("enum")))
                .containsExactlyElementsOf(EventTypes.AUDIT_TYPES);
    }

    @Test
    void writtenSamplesMatchTheirSchemaAndTheReaderDemandsEveryRequiredProperty() throws IOException {
        JsonNode schema = schema("sample.json");
        byte[] value = SampleRecordWriter.encode(SampleRecordReaderTest.sample("s-1", new float[784]));
        ObjectNode json = (ObjectNode) MAPPER.readTree(value);

        assertThat(violations(schema, json, "sample")).isEmpty();
        for (String property : texts(schema.get("required"))) {
            ObjectNode without = json.deepCopy();
            without.remove(property);
            SampleRecordReader.Result result = new SampleRecordReader().read(null,
                    without.toString().getBytes(StandardCharsets.UTF_8), Map.of());
            assertThat(result).as(property).isEqualTo(new SampleRecordReader.Rejected(property + " is missing"));
        }
    }

    @Test
    void theReaderDemandsEveryRequiredPropertyOfADeletionRequestAndNoOther() throws IOException {
        JsonNode schema = schema("deletion-request.json");
        ObjectNode json = MAPPER.createObjectNode().put("requestId", "r-1").put("subjectId", "s-1")
                .put("requestedAt", "2026-11-26T10:00:00Z");
        DeletionRequestReader reader = new DeletionRequestReader();

        assertThat(violations(schema, json, "request")).isEmpty();
        assertThat(reader.read(null, json.toString().getBytes(StandardCharsets.UTF_8), Map.of()).isAccepted()).isTrue();
        Set<String> required = new HashSet<>(texts(schema.get("required")));
        for (String property : iterable(schema.get("properties").fieldNames())) {
            ObjectNode without = json.deepCopy();
            without.remove(property);
            DeletionRequestReader.Result result =
                    reader.read(null, without.toString().getBytes(StandardCharsets.UTF_8), Map.of());
            if (required.contains(property)) {
                assertThat(result).as(property).isEqualTo(new DeletionRequestReader.Rejected(property + " is missing"));
            } else {
                assertThat(result.isAccepted()).as(property).isTrue();
            }
        }
    }

    @Test
    void theRetrainReaderDemandsEveryRequiredPropertyOfItsSchemaAndNoOther() throws IOException {
        JsonNode schema = schema("retrain.json");
        ObjectNode data = MAPPER.createObjectNode().put("model", "m").put("artifactUri", "file:///m.pt")
                .put("sha256", "0a".repeat(32)).put("format", "torchscript").put("trainedAt", "2026-12-02T06:00:00Z");
        data.putObject("samplesPosition").put("0", 12).put("1", 7);
        RetrainEventReader reader = new RetrainEventReader();

        assertThat(violations(schema, data, "data")).isEmpty();
        assertThat(reader.read(null, retrain(data), Map.of())).isInstanceOf(RetrainEventReader.Accepted.class);
        Set<String> required = new HashSet<>(texts(schema.get("required")));
        for (String property : iterable(schema.get("properties").fieldNames())) {
            ObjectNode without = data.deepCopy();
            without.remove(property);
            RetrainEventReader.Result result = reader.read(null, retrain(without), Map.of());
            if (required.contains(property)) {
                assertThat(result).as(property).isInstanceOf(RetrainEventReader.Rejected.class);
                assertThat(((RetrainEventReader.Rejected) result).reason()).as(property).contains(property);
            } else {
                assertThat(result).as(property).isInstanceOf(RetrainEventReader.Accepted.class);
            }
        }
    }

    private static byte[] retrain(ObjectNode data) {
        ObjectNode event = MAPPER.createObjectNode().put("specversion", "1.0").put("id", "retrain-1")
                .put("source", "urn:pipeline").put("type", EventTypes.MODEL_RETRAINED).put("time", "2026-12-02T06:00:00Z");
        event.set("data", data);
        return event.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theAsyncApiDocumentDescribesEveryTopicItsSchemasAndHeaders() throws IOException {
        String doc = resource("asyncapi.yaml");

        assertThat(doc).startsWith("asyncapi: 3.0.0");
        for (String topic : EventTypes.TOPICS) {
            assertThat(doc).as(topic).contains("address: " + topic + "\n").contains("topic: " + topic + "\n");
        }
        for (String file : SCHEMAS) {
            assertThat(doc).contains("$ref: './schemas/" + file + "'");
        }
        List<String> types = new ArrayList<>(EventTypes.AUDIT_TYPES);
        types.add(EventTypes.DELETION_REQUESTED);
        types.add(EventTypes.MODEL_VERSION_PUBLISHED);
        types.add(EventTypes.MODEL_RETRAINED);
        assertThat(doc).contains(types);
        assertThat(doc).contains(EventTypes.DEAD_LETTER_REASON, EventTypes.CE_SPECVERSION, EventTypes.CE_ID,
                EventTypes.CE_SOURCE, EventTypes.CE_TYPE, EventTypes.CE_TIME, EventTypes.STRUCTURED_CONTENT_TYPE);
        // The samples channel, and only it, is compacted.
        String samplesChannel = doc.substring(doc.indexOf("address: " + EventTypes.SAMPLES_TOPIC),
                doc.indexOf("address: " + EventTypes.DELETION_REQUESTS_TOPIC + "\n"));
        assertThat(samplesChannel).contains("cleanup.policy:\n            - compact");
        assertThat(doc.split("- compact", -1)).hasSize(2);
    }

    // ---- a minimal structural check ---------------------------------------------------------

    /** Type, enum, pattern, minimum, required and undeclared-property violations of {@code value}. */
    static List<String> violations(JsonNode schema, JsonNode value, String path) {
        List<String> out = new ArrayList<>();
        JsonNode type = schema.get("type");
        if (type != null) {
            List<String> allowed = type.isArray() ? texts(type) : List.of(type.textValue());
            String actual = typeOf(value);
            boolean ok = allowed.contains(actual) || (actual.equals("integer") && allowed.contains("number"));
            if (!ok) {
                out.add(path + " is " + actual + ", schema allows " + allowed);
                return out;
            }
        }
        if (schema.has("enum") && !texts(schema.get("enum")).contains(value.asText())) {
            out.add(path + " is not one of " + schema.get("enum"));
        }
        if (schema.has("pattern") && value.isTextual()
                && !Pattern.compile(schema.get("pattern").textValue()).matcher(value.textValue()).find()) {
            out.add(path + " does not match " + schema.get("pattern").textValue());
        }
        if (schema.has("minimum") && value.isNumber() && value.doubleValue() < schema.get("minimum").doubleValue()) {
            out.add(path + " is below " + schema.get("minimum"));
        }
        if (value.isObject()) {
            if (schema.has("required")) {
                for (String name : texts(schema.get("required"))) {
                    if (!value.has(name)) {
                        out.add(path + "." + name + " is required but missing");
                    }
                }
            }
            JsonNode properties = schema.get("properties");
            JsonNode additional = schema.get("additionalProperties");
            for (String name : iterable(value.fieldNames())) {
                if ((properties == null || !properties.has(name)) && additional != null && additional.isObject()) {
                    out.addAll(violations(additional, value.get(name), path + "." + name));
                } else if (properties == null || !properties.has(name)) {
                    out.add(path + "." + name + " is not declared in the schema");
                } else {
                    out.addAll(violations(properties.get(name), value.get(name), path + "." + name));
                }
            }
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                out.addAll(violations(schema.get("items"), value.get(i), path + "[" + i + "]"));
            }
        }
        return out;
    }

    private static String typeOf(JsonNode value) {
        if (value.isNull()) {
            return "null";
        }
        if (value.isIntegralNumber()) {
            return "integer";
        }
        if (value.isNumber()) {
            return "number";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        if (value.isTextual()) {
            return "string";
        }
        return value.isArray() ? "array" : "object";
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.textValue()));
        return out;
    }

    private static List<String> iterable(Iterator<String> names) {
        List<String> out = new ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    static JsonNode schema(String file) throws IOException {
        return MAPPER.readTree(resource("schemas/" + file));
    }

    static String resource(String name) throws IOException {
        try (InputStream in = EventSchemasTest.class.getResourceAsStream("/" + name)) {
            assertThat(in).as("resource %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
