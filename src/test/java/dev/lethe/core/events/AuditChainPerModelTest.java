package dev.lethe.core.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Several models share one audit topic: each has its own chain, source and name (issue 14). */
class AuditChainPerModelTest {

    private static final String ALICE = Pseudonymizer.fromUtf8("per-model-test-secret").pseudonymize("alice");
    private static final String BOB = Pseudonymizer.fromUtf8("per-model-test-secret").pseudonymize("bob");

    private static List<CloudEvent> interleaved() {
        AuditChain a = AuditChain.genesis("fraud-scorer");
        AuditChain b = AuditChain.genesis("churn model/v2");
        List<CloudEvent> topic = new ArrayList<>();
        for (AuditEvent e : List.of(a.append(AuditEvent.received("r-1", ALICE)), b.append(AuditEvent.received("r-1", ALICE)),
                b.append(AuditEvent.received("r-2", BOB)), a.append(AuditEvent.received("r-2", BOB)),
                a.append(AuditEvent.rejected("r-2", BOB, "no such subject")))) {
            topic.add(CloudEventJson.parse(CloudEventJson.write(CloudEventJson.audit(Instant.EPOCH, e))));
        }
        return topic;
    }

    @Test
    void eachModelsEventsNameItAndComeFromItsOwnSource() {
        List<CloudEvent> topic = interleaved();
        assertThat(topic).extracting(CloudEvent::source).containsExactly("urn:lethe:fraud-scorer",
                "urn:lethe:churn%20model%2Fv2", "urn:lethe:churn%20model%2Fv2", "urn:lethe:fraud-scorer",
                "urn:lethe:fraud-scorer");
        assertThat(topic).extracting(e -> CloudEventJson.auditEventOf(e).model()).containsExactly("fraud-scorer",
                "churn model/v2", "churn model/v2", "fraud-scorer", "fraud-scorer");
        assertThat(EventTypes.source(null)).isEqualTo("urn:lethe");
    }

    @Test
    void twoInterleavedChainsEachVerifyFromGenesis() {
        List<JsonNode> data = topic(interleaved());
        Map<String, AuditChain.Verification> chains = AuditChain.verifyDataPerModel(data);
        assertThat(chains).containsOnlyKeys("fraud-scorer", "churn model/v2");
        assertThat(chains.values()).allMatch(AuditChain.Verification::ok);
        assertThat(data.get(1).path("prevHash").asText()).isEqualTo(AuditChain.GENESIS_HASH);
        assertThat(AuditChain.verifyData(data).ok()).as("as one chain they do not link").isFalse();
    }

    @Test
    void movingAnEventToTheOtherModelsChainBreaksItAtThatEvent() {
        List<JsonNode> data = topic(interleaved());
        ((ObjectNode) data.get(3)).put("model", "churn model/v2");
        Map<String, AuditChain.Verification> chains = AuditChain.verifyDataPerModel(data);
        assertThat(chains.get("churn model/v2").ok()).isFalse();
        assertThat(chains.get("churn model/v2").brokenIndex()).as("index in topic order").isEqualTo(3);
        assertThat(chains.get("fraud-scorer").ok()).as("the chain it left misses a link").isFalse();
    }

    @Test
    void eventsOfNoModelFormAChainOfTheirOwn() {
        AuditChain legacy = AuditChain.genesis();
        AuditChain a = AuditChain.genesis("a");
        List<JsonNode> data = topic(List.of(legacy.append(AuditEvent.received("r-0", ALICE)),
                a.append(AuditEvent.received("r-1", BOB))).stream()
                .map(e -> CloudEventJson.parse(CloudEventJson.write(CloudEventJson.audit(Instant.EPOCH, e)))).toList());
        assertThat(AuditChain.verifyDataPerModel(data)).containsOnlyKeys(AuditChain.NO_MODEL, "a")
                .allSatisfy((m, v) -> assertThat(v.ok()).isTrue());
    }

    @Test
    void aResumedChainKeepsStampingItsModel() {
        AuditEvent first = AuditChain.genesis("a").append(AuditEvent.received("r-1", ALICE));
        AuditEvent second = AuditChain.resumeFrom("a", first.hash()).append(AuditEvent.received("r-2", BOB));
        assertThat(second.model()).isEqualTo("a");
        assertThat(second.prevHash()).isEqualTo(first.hash());
        assertThat(AuditChain.verify(List.of(first, second)).ok()).isTrue();
    }

    private static List<JsonNode> topic(List<CloudEvent> events) {
        List<JsonNode> data = new ArrayList<>();
        events.forEach(e -> data.add(e.data().deepCopy()));
        return data;
    }
}
