package dev.lethe.daemon.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.lethe.core.events.AuditChain;
import dev.lethe.core.events.EventTypes;
import dev.lethe.daemon.kafka.TopicReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Reads an audit topic from its beginning (committed records only) and verifies its hash chains over
 * the bytes as published, one chain per model ({@link AuditChain#verifyDataPerModel}): what
 * {@code lethe audit verify} runs.
 * Records that are not audit CloudEvents are skipped, as {@code scripts/verify_audit_chain.py}
 * skips them.
 */
public final class AuditTopicVerifier {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One model's chain (several models may share the audit topic, each with its own chain).
     *
     * @param model  the model, or {@link AuditChain#NO_MODEL} for events that name none
     * @param events its events
     * @param head   hash of its last event
     */
    public record Chain(String model, int events, String head, AuditChain.Verification verification) {
    }

    /**
     * The outcome.
     *
     * @param events      audit events read
     * @param head        hash of the last event ({@link AuditChain#GENESIS_HASH} when none)
     * @param legacy      events without {@code hashAlg} (hashed the pre-JCS way)
     * @param verification intact, or the first broken event (its index among the audit events)
     * @param brokenOffset topic offset of the first broken event, or -1
     * @param brokenKey   record key (the request id) of the first broken event, or null
     * @param chains      per model, in order of first appearance
     */
    public record Report(int events, String head, int legacy, AuditChain.Verification verification,
            long brokenOffset, String brokenKey, List<Chain> chains) {

        public boolean ok() {
            return verification.ok();
        }

        /** One line for a person. */
        public String describe() {
            if (ok()) {
                String line = "intact: " + events + " events (" + legacy + " legacy), head " + head;
                if (chains.size() > 1 || (chains.size() == 1 && !chains.get(0).model().isEmpty())) {
                    line += "; " + chains.size() + (chains.size() == 1 ? " chain: " : " chains: ") + String.join(", ",
                            chains.stream().map(c -> (c.model().isEmpty() ? "(no model)" : "model " + c.model())
                                    + " " + c.events() + " events, head " + c.head()).toList());
                }
                return line;
            }
            return "broken at event " + verification.brokenIndex() + " of " + events + " (offset " + brokenOffset
                    + ", request " + brokenKey + "): " + verification.reason();
        }
    }

    private AuditTopicVerifier() {
    }

    /**
     * Verifies {@code topic}; every audit record value read is also written to {@code dump} (one
     * per line, topic order) when it is not null, for an independent verifier.
     */
    public static Report verify(KafkaConsumer<byte[], byte[]> consumer, String topic, Duration timeout,
            OutputStream dump) throws IOException {
        List<ConsumerRecord<byte[], byte[]>> audit = new ArrayList<>();
        List<JsonNode> data = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(consumer, topic, timeout)) {
            if (r.value() == null) {
                continue;
            }
            JsonNode event = parse(r.value());
            if (event != null && !(event.path("type").isTextual()
                    && EventTypes.AUDIT_TYPES.contains(event.path("type").textValue()))) {
                continue; // some other event: not part of the chain
            }
            audit.add(r);
            // A value that is not JSON at all (a damaged record) is a broken link, not something to skip.
            data.add(event == null ? NullNode.getInstance() : event.path("data"));
            if (dump != null) {
                dump.write(r.value());
                dump.write('\n');
            }
        }
        Map<String, AuditChain.Verification> perModel = AuditChain.verifyDataPerModel(data);
        List<Chain> chains = new ArrayList<>();
        AuditChain.Verification v = AuditChain.Verification.intact();
        for (Map.Entry<String, AuditChain.Verification> e : perModel.entrySet()) {
            List<JsonNode> own = data.stream().filter(d -> AuditChain.modelOf(d).equals(e.getKey())).toList();
            chains.add(new Chain(e.getKey(), own.size(), own.get(own.size() - 1).path("hash").asText(), e.getValue()));
            if (!e.getValue().ok() && (v.ok() || e.getValue().brokenIndex() < v.brokenIndex())) {
                v = e.getValue(); // the first broken event in topic order
            }
        }
        int legacy = (int) data.stream().filter(d -> d.path("hashAlg").isMissingNode() || d.path("hashAlg").isNull())
                .count();
        String head = data.isEmpty() ? AuditChain.GENESIS_HASH : data.get(data.size() - 1).path("hash").asText();
        if (v.ok()) {
            return new Report(data.size(), head, legacy, v, -1, null, List.copyOf(chains));
        }
        ConsumerRecord<byte[], byte[]> bad = audit.get(v.brokenIndex());
        return new Report(data.size(), head, legacy, v, bad.offset(),
                bad.key() == null ? null : new String(bad.key(), StandardCharsets.UTF_8), List.copyOf(chains));
    }

    private static JsonNode parse(byte[] value) {
        try {
            JsonNode node = JSON.readTree(value);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }
}
