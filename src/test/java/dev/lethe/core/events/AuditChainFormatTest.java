package dev.lethe.core.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The chain's byte format: RFC 8785 canonical JSON, and events written before it (no hashAlg). */
class AuditChainFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALICE = Pseudonymizer.fromUtf8("audit-chain-test-secret").pseudonymize("alice@example.com");
    private static final AuditEvent.Mia PASSED = new AuditEvent.Mia(0.51, 0.74, 0.55, true);

    @Test
    void theRfc8785SampleCanonicalisesToTheRfcBytes() throws Exception {
        // RFC 8785 §3.2.2 (input) and §3.2.3 (output), verbatim.
        String input = "{\"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],"
                + " \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\", \"literals\": [null, true, false]}";

        assertThat(Jcs.canonicalize(JSON.readTree(input))).isEqualTo(
                "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                        + "\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "0.0, 0", "-0.0, 0", "1.0, 1", "0.5, 0.5", "-2.5, -2.5", "1e21, 1e+21", "1e20, 100000000000000000000",
            "0.000001, 0.000001", "1e-7, 1e-7", "5e-324, 5e-324", "1.7976931348623157e308, 1.7976931348623157e+308",
            "9007199254740992, 9007199254740992", "0.30000000000000004, 0.30000000000000004",
            // Java 17's Double.toString prints 2.82879384806159008E17 here; the shortest form has no 008.
            "2.82879384806159E17, 282879384806159000"})
    void numbersAreWrittenAsEcmaScriptWritesThem(double value, String expected) {
        assertThat(Jcs.number(value)).isEqualTo(expected);
    }

    @Test
    void membersAreSortedByUtf16CodeUnits() throws Exception {
        // U+20AC sorts before U+1F600 (a surrogate pair, 0xD83D...) in UTF-16, after it in code points.
        JsonNode node = JSON.readTree("{\"\\ud83d\\ude00\":2,\"\\u20ac\":1,\"a\":0}");
        assertThat(Jcs.canonicalize(node)).isEqualTo("{\"a\":0,\"€\":1,\"😀\":2}");
    }

    @Test
    void eventsWrittenBeforeHashAlgExistedStillVerifyTheWayTheyWereHashed() throws Exception {
        AuditEvent legacy = legacy(AuditEvent.completed("r-1", ALICE, 12, 3, PASSED), AuditChain.GENESIS_HASH);
        // The exact text the chain hashed before RFC 8785 (Jackson: keys sorted, Java doubles).
        String canonical = "{\"mia\":{\"auc\":0.51,\"aucBefore\":0.74,\"passed\":true,\"threshold\":0.55},"
                + "\"modelVersion\":3,\"prevHash\":\"" + AuditChain.GENESIS_HASH + "\",\"requestId\":\"r-1\","
                + "\"samplesForgotten\":12,\"subjectRef\":\"" + ALICE + "\",\"type\":\"dev.lethe.deletion.completed\"}";
        byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest((AuditChain.GENESIS_HASH + "\n" + canonical).getBytes(StandardCharsets.UTF_8));
        assertThat(legacy.hash()).isEqualTo(HexFormat.of().formatHex(digest));

        // A daemon upgraded mid-chain resumes from the legacy head and appends JCS events.
        AuditChain chain = AuditChain.resumeFrom(legacy.hash());
        List<AuditEvent> events = List.of(legacy, chain.append(AuditEvent.received("r-2", ALICE)),
                chain.append(AuditEvent.rejected("r-2", ALICE, "no samples")));

        assertThat(AuditChain.verify(events).ok()).isTrue();
        assertThat(AuditChain.verifyData(published(events)).ok()).isTrue();
        assertThat(published(events).get(0).has("hashAlg")).isFalse();
        assertThat(published(events).get(1).get("hashAlg").asText()).isEqualTo(AuditChain.HASH_ALG);
    }

    @Test
    void theVerifierOfPublishedDataCoversMembersThisVersionDoesNotKnow() {
        AuditChain chain = AuditChain.genesis();
        List<ObjectNode> data = published(List.of(chain.append(AuditEvent.received("r-1", ALICE)),
                chain.append(AuditEvent.completed("r-1", ALICE, 12, 3, PASSED))));
        assertThat(AuditChain.verifyData(data).ok()).isTrue();

        data.get(1).put("note", "added later");

        AuditChain.Verification v = AuditChain.verifyData(data);
        assertThat(v.ok()).isFalse();
        assertThat(v.brokenIndex()).isEqualTo(1);
        assertThat(v.reason()).isEqualTo("hash does not match the event's content");
    }

    @Test
    void anUnknownHashAlgIsABrokenLinkNotASilentPass() {
        List<ObjectNode> data = published(List.of(AuditChain.genesis().append(AuditEvent.received("r-1", ALICE))));
        data.get(0).put("hashAlg", "md5");

        AuditChain.Verification v = AuditChain.verifyData(data);

        assertThat(v.ok()).isFalse();
        assertThat(v.reason()).contains("unknown hashAlg md5");
    }

    private static AuditEvent legacy(AuditEvent e, String prevHash) {
        AuditEvent unhashed = new AuditEvent(e.type(), e.requestId(), e.subjectRef(), e.samplesForgotten(),
                e.modelVersion(), e.mia(), e.reason(), prevHash, null, null);
        return unhashed.withHashes(prevHash, AuditChain.hashOf(prevHash, unhashed));
    }

    private static List<ObjectNode> published(List<AuditEvent> events) {
        List<ObjectNode> data = new ArrayList<>();
        for (AuditEvent e : events) {
            byte[] bytes = CloudEventJson.write(CloudEventJson.audit(Instant.EPOCH, e));
            data.add((ObjectNode) CloudEventJson.parse(bytes).data());
        }
        return data;
    }
}
