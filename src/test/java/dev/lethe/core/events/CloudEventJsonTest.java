package dev.lethe.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

class CloudEventJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant CREATED = Instant.parse("2026-11-26T12:34:56.789Z");

    static ModelVersionEvent version(long version, Long parent) {
        return new ModelVersionEvent("fashion-cnn", version, parent, "file:///var/lib/lethe/models/fashion-cnn/v" + version,
                "ab".repeat(32), 187_392, CREATED, List.of("r-1", "r-2"), 21,
                new ModelVersionEvent.Metrics(0.84, 0.85, 0.503, 0.712, AuditChainTest.VERIFIED), "cpu");
    }

    @Test
    void writesAStructuredCloudEventWithEveryRequiredAttribute() throws Exception {
        byte[] bytes = CloudEventJson.write(CloudEventJson.modelVersionPublished(version(3, 2L)));

        JsonNode json = MAPPER.readTree(bytes);
        assertThat(json.get("specversion").textValue()).isEqualTo("1.0");
        assertThat(json.get("id").textValue()).isEqualTo("model-version:fashion-cnn:3");
        assertThat(json.get("source").textValue()).isEqualTo("urn:lethe:fashion-cnn");
        assertThat(json.get("type").textValue()).isEqualTo(EventTypes.MODEL_VERSION_PUBLISHED);
        assertThat(json.get("datacontenttype").textValue()).isEqualTo("application/json");
        assertThat(json.get("subject").textValue()).isEqualTo("fashion-cnn");
        // RFC 3339: a full date-time with an explicit offset (Z).
        assertThat(json.get("time").textValue()).isEqualTo("2026-11-26T12:34:56.789Z");
        assertThat(OffsetDateTime.parse(json.get("time").textValue()).getOffset()).isEqualTo(ZoneOffset.UTC);
        assertThat(json.get("data").get("version").longValue()).isEqualTo(3);
        assertThat(json.get("data").get("metrics").get("miaAuc").doubleValue()).isEqualTo(0.503);
        JsonNode metrics = json.get("data").get("metrics");
        assertThat(metrics.get("approximate").booleanValue()).isTrue();
        assertThat(metrics.get("method").textValue()).isEqualTo("orthograd");
        assertThat(metrics.get("objective").textValue()).isEqualTo("match-log");
        assertThat(metrics.get("attacks").get(1).get("name").textValue()).isEqualTo("rmia");
        assertThat(metrics.get("attacks").get(1).get("threshold").doubleValue()).isEqualTo(0.60);
    }

    @Test
    void aModelVersionSurvivesWriteAndParse() {
        ModelVersionEvent first = version(1, null);
        ModelVersionEvent later = new ModelVersionEvent("fashion-cnn", 2, 1L, "s3://models/v2", "0f".repeat(32), 0,
                CREATED, List.of(), 0, new ModelVersionEvent.Metrics(Double.NaN, 0.85, Double.NaN, 0.7), "gpu");

        for (ModelVersionEvent v : List.of(first, later)) {
            CloudEvent parsed = CloudEventJson.parse(CloudEventJson.write(CloudEventJson.modelVersionPublished(v)));
            assertThat(CloudEventJson.modelVersionOf(parsed.data())).isEqualTo(v);
            assertThat(parsed.time()).isEqualTo(CREATED);
        }
        JsonNode data = CloudEventJson.data(first);
        assertThat(data.get("parentVersion").isNull()).isTrue();
        assertThat(data.get("format").asText()).isEqualTo("lethe");
        assertThat(data.has("unlearning")).as("no unlearning made version 1").isFalse();
        assertThat(CloudEventJson.data(later).get("metrics").get("forgetAcc").isNull()).isTrue();
    }

    @Test
    void aTorchScriptVersionSaysItsFormatAndWhatChangedAndOldEventsReadAsLethe() {
        ModelVersionEvent v = new ModelVersionEvent("fashion-bn", 2, 1L, "file:///r/fashion-bn/v2.pt", "0e".repeat(32),
                135_634, CREATED, List.of("r-1"), 12, new ModelVersionEvent.Metrics(0.8, 0.81, 0.52, 0.66), "cpu",
                ModelVersionEvent.TORCHSCRIPT, new UnlearningRecord("orthograd-global", "^head\\.",
                        List.of("head.0.weight", "head.0.bias"), 16, "embed-dense-head"));
        CloudEvent parsed = CloudEventJson.parse(CloudEventJson.write(CloudEventJson.modelVersionPublished(v)));
        assertThat(CloudEventJson.modelVersionOf(parsed.data())).isEqualTo(v);
        assertThat(parsed.data().get("format").asText()).isEqualTo("torchscript");
        assertThat(parsed.data().get("unlearning").get("changedTensors")).hasSize(2);

        com.fasterxml.jackson.databind.node.ObjectNode old = CloudEventJson.data(version(1, null));
        old.remove("format");
        assertThat(CloudEventJson.modelVersionOf(old).format()).isEqualTo(ModelVersionEvent.LETHE);
    }

    @Test
    void eventIdsAreDeterministicAndDistinct() {
        assertThat(CloudEventJson.modelVersionPublished(version(3, 2L)).id())
                .isEqualTo(CloudEventJson.modelVersionPublished(version(3, 2L)).id())
                .isNotEqualTo(CloudEventJson.modelVersionPublished(version(4, 3L)).id());
        List<AuditEvent> chain = AuditChainTest.chainOfFive();
        assertThat(chain).extracting(CloudEventJson::auditEventId).doesNotHaveDuplicates()
                .allMatch(id -> id.startsWith("audit:"));
        CloudEvent custom = CloudEventJson.audit("my-id", "urn:elsewhere", CREATED, chain.get(0));
        assertThat(custom.id()).isEqualTo("my-id");
        assertThat(custom.source()).isEqualTo("urn:elsewhere");
    }

    @Test
    void anAuditEventCarriesItsTypeAndRequestButNeverTheRawSubjectId() {
        Pseudonymizer pseudonyms = Pseudonymizer.fromUtf8("cloud-event-json-test-secret");
        AuditEvent event = AuditChain.genesis().append(AuditEvent.completed("r-1",
                pseudonyms.pseudonymize("alice@example.com"), 12, 3, new AuditEvent.Mia(0.5, 0.7, 0.55, true)));

        CloudEvent cloudEvent = CloudEventJson.audit(CREATED, event);
        String json = new String(CloudEventJson.write(cloudEvent), StandardCharsets.UTF_8);

        assertThat(cloudEvent.type()).isEqualTo(EventTypes.DELETION_COMPLETED);
        assertThat(cloudEvent.subject()).isEqualTo("r-1");
        assertThat(cloudEvent.id()).isEqualTo("audit:" + event.hash());
        assertThat(json).contains(pseudonyms.pseudonymize("alice@example.com")).doesNotContain("alice");
    }

    @Test
    void anUnchainedAuditEventCannotBePublished() {
        assertThatThrownBy(() -> CloudEventJson.audit(CREATED, AuditEvent.received("r-1", "a".repeat(64))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AuditChain");
    }

    @Test
    void parseRejectsWhatIsNotAStructuredCloudEvent() {
        assertThatThrownBy(() -> CloudEventJson.parse("{\"specversion\":\"0.3\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("specversion");
        assertThatThrownBy(() -> CloudEventJson.parse("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> CloudEventJson.parse(("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\","
                + "\"type\":\"t\",\"data\":{}}").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("time is missing");
    }

    @Test
    void anAuditEnvelopeWhoseTypeDiffersFromItsDataIsRefused() {
        AuditEvent event = AuditChainTest.chainOfFive().get(0);
        CloudEvent relabelled = new CloudEvent("id-1", EventTypes.SOURCE, EventTypes.DELETION_COMPLETED, CREATED,
                null, CloudEventJson.data(event));

        assertThatThrownBy(() -> CloudEventJson.auditEventOf(relabelled)).isInstanceOf(IllegalArgumentException.class);
    }
}
