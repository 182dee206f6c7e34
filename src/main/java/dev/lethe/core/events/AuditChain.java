package dev.lethe.core.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Links audit events into a tamper-evident chain. An event's data carries {@code prevHash} (the
 * previous event's {@code hash}; {@link #GENESIS_HASH} for the first) and
 * {@code hashAlg = "}{@value #HASH_ALG}{@code "}, and
 * {@code hash = sha256_hex(utf8(JCS(data without "hash")))} where JCS is RFC 8785 ({@link Jcs}), so
 * any language can recompute it from the published bytes ({@code scripts/verify_audit_chain.py}).
 *
 * <p>Events written before {@code hashAlg} existed have no such field; they stay verifiable the
 * way they were hashed: {@code sha256_hex(prevHash + "\n" + json)} with Jackson's output of the
 * data (keys sorted, doubles as Java's {@code Double.toString}) ({@link #legacyCanonicalJson}).
 *
 * <p>Changing, dropping, inserting or reordering events breaks the chain at the first affected
 * event ({@link #verify}). An appended event that is then not published (an aborted transaction)
 * must be forgotten by {@link #resumeFrom resuming} from the last published hash.
 *
 * <p>{@link #append} is synchronised; the static methods are pure.
 */
public final class AuditChain {

    /** {@code prevHash} of the first event: 64 zeros. */
    public static final String GENESIS_HASH = "0".repeat(64);

    /** The {@code hashAlg} of events this chain appends: SHA-256 over RFC 8785 canonical JSON. */
    public static final String HASH_ALG = "sha256-jcs";

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .build();

    private final String model;
    private String lastHash;

    private AuditChain(String model, String lastHash) {
        this.model = model;
        this.lastHash = lastHash;
    }

    /** A new chain of no model (events as written before models shared an audit topic). */
    public static AuditChain genesis() {
        return new AuditChain(null, GENESIS_HASH);
    }

    /** A new chain for {@code model}, starting at {@link #GENESIS_HASH}: every event appended carries it. */
    public static AuditChain genesis(String model) {
        return new AuditChain(requireModel(model), GENESIS_HASH);
    }

    /** {@link #resumeFrom(String)} for {@code model}'s chain. */
    public static AuditChain resumeFrom(String model, String lastHash) {
        return new AuditChain(requireModel(model), resumeFrom(lastHash).lastHash);
    }

    private static String requireModel(String model) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must be non-blank");
        }
        return model;
    }

    /** The model this chain stamps on its events; null for a chain of no model. */
    public String model() {
        return model;
    }

    /**
     * A chain that continues after an event whose hash is {@code lastHash} (read back from the
     * audit topic at start-up).
     *
     * @throws IllegalArgumentException if {@code lastHash} is not 64 lowercase hex digits
     */
    public static AuditChain resumeFrom(String lastHash) {
        if (lastHash == null || !Sha256Hex.isValid(lastHash)) {
            throw new IllegalArgumentException("lastHash must be 64 lowercase hex digits");
        }
        return new AuditChain(null, lastHash);
    }

    /** The hash of the last appended event ({@link #GENESIS_HASH} for a new chain). */
    public synchronized String lastHash() {
        return lastHash;
    }

    /**
     * Sets the event's {@code prevHash} and {@code hash} (whatever they were) and the chain's model,
     * and advances the chain.
     *
     * @return the chained event, to be published in this order
     */
    public synchronized AuditEvent append(AuditEvent event) {
        Objects.requireNonNull(event, "event");
        AuditEvent current = new AuditEvent(event.type(), event.requestId(), event.subjectRef(),
                event.samplesForgotten(), event.modelVersion(), event.mia(), event.reason(), null, null, HASH_ALG,
                event.unlearning(), model != null ? model : event.model());
        String hash = hashOf(lastHash, current);
        AuditEvent chained = current.withHashes(lastHash, hash);
        lastHash = hash;
        return chained;
    }

    /**
     * The chain hash of {@code event} placed after {@code prevHash} (its own hash fields are ignored),
     * by the event's {@code hashAlg}.
     */
    public static String hashOf(String prevHash, AuditEvent event) {
        AuditEvent unhashed = event.withHashes(prevHash, null);
        if (event.hashAlg() == null) {
            return sha256Hex(prevHash + "\n" + legacyCanonicalJson(unhashed));
        }
        return sha256Hex(canonicalJson(unhashed));
    }

    /**
     * The hash of a published event's data as it stands (the {@code data} object of the CloudEvent):
     * JCS of every member but {@code hash} when {@code hashAlg} is present, the legacy form otherwise.
     * This is what an independent verifier recomputes; it covers members this version does not know.
     *
     * @throws IllegalArgumentException if {@code hashAlg} names an unknown algorithm, or a legacy
     *                                  event's data is not a valid audit event
     */
    public static String hashOfData(JsonNode data) {
        JsonNode alg = data.get("hashAlg");
        if (alg == null || alg.isNull()) {
            AuditEvent legacy = CloudEventJson.auditEventOf(data);
            return hashOf(legacy.prevHash(), legacy);
        }
        if (!HASH_ALG.equals(alg.asText())) {
            throw new IllegalArgumentException("unknown hashAlg " + alg.asText());
        }
        ObjectNode copy = ((ObjectNode) data).deepCopy();
        copy.remove("hash");
        return sha256Hex(Jcs.canonicalize(copy));
    }

    /** The text that is hashed for a {@link #HASH_ALG} event: JCS of its data without {@code hash}. */
    public static String canonicalJson(AuditEvent event) {
        ObjectNode data = CloudEventJson.data(event);
        data.remove("hash");
        return Jcs.canonicalize(data);
    }

    /** The legacy hashed text: the data without {@code hash}, keys sorted, no whitespace, Jackson's numbers. */
    public static String legacyCanonicalJson(AuditEvent event) {
        ObjectNode data = CloudEventJson.data(event);
        data.remove("hash");
        try {
            // Trees keep insertion order; as plain maps the mapper sorts keys at every level.
            Object plain = CANONICAL.treeToValue(data, Object.class);
            return CANONICAL.writeValueAsString(plain);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise an audit event", e);
        }
    }

    /**
     * Verifies the data objects of published events, in topic order, from {@link #GENESIS_HASH}:
     * each must name the previous hash and hash to its own {@code hash} ({@link #hashOfData}).
     */
    public static Verification verifyData(List<? extends JsonNode> data) {
        String expectedPrev = GENESIS_HASH;
        for (int i = 0; i < data.size(); i++) {
            JsonNode d = data.get(i);
            if (d == null || !d.isObject()) {
                return Verification.brokenAt(i, "not a JSON CloudEvent with a data object");
            }
            JsonNode prev = d.get("prevHash");
            if (prev == null || !expectedPrev.equals(prev.asText())) {
                return Verification.brokenAt(i, i == 0 ? "prevHash is not the chain's starting hash"
                        : "prevHash does not link to the hash of event " + (i - 1));
            }
            JsonNode hash = d.get("hash");
            String actual;
            try {
                actual = hashOfData(d);
            } catch (RuntimeException e) {
                return Verification.brokenAt(i, "unreadable event: " + e.getMessage());
            }
            if (hash == null || !hash.isTextual() || !hash.textValue().equals(actual)) {
                return Verification.brokenAt(i, "hash does not match the event's content");
            }
            expectedPrev = hash.textValue();
        }
        return Verification.intact();
    }

    /** The key of the chain of events that name no model, in {@link #verifyDataPerModel}. */
    public static final String NO_MODEL = "";

    /**
     * Verifies every model's chain in published data (topic order). Several models may share one
     * audit topic: events are grouped by their {@code model} member (events without one form one
     * more chain, under {@link #NO_MODEL}) and each group must be a chain from {@link #GENESIS_HASH}.
     * Moving an event to another model's chain breaks both: the hash covers {@code model}.
     *
     * @return per model, in order of first appearance; indexes are positions in {@code data}
     */
    public static Map<String, Verification> verifyDataPerModel(List<? extends JsonNode> data) {
        Map<String, List<Integer>> positions = new LinkedHashMap<>();
        for (int i = 0; i < data.size(); i++) {
            positions.computeIfAbsent(modelOf(data.get(i)), m -> new ArrayList<>()).add(i);
        }
        Map<String, Verification> result = new LinkedHashMap<>();
        positions.forEach((model, at) -> {
            List<JsonNode> chain = new ArrayList<>(at.size());
            at.forEach(i -> chain.add(data.get(i)));
            Verification v = verifyData(chain);
            result.put(model, v.ok() ? v : Verification.brokenAt(at.get(v.brokenIndex()), v.reason()));
        });
        return result;
    }

    /** The {@code model} member of published audit data, or {@link #NO_MODEL}. */
    public static String modelOf(JsonNode data) {
        JsonNode model = data == null || !data.isObject() ? null : data.get("model");
        return model != null && model.isTextual() && !model.textValue().isBlank() ? model.textValue() : NO_MODEL;
    }

    /** Verifies a chain that starts at {@link #GENESIS_HASH}. */
    public static Verification verify(List<AuditEvent> events) {
        return verify(GENESIS_HASH, events);
    }

    /** Verifies a segment of a chain whose first event must follow {@code prevHash}. */
    public static Verification verify(String prevHash, List<AuditEvent> events) {
        String expectedPrev = Objects.requireNonNull(prevHash, "prevHash");
        for (int i = 0; i < events.size(); i++) {
            AuditEvent e = events.get(i);
            if (!expectedPrev.equals(e.prevHash())) {
                return Verification.brokenAt(i, i == 0 ? "prevHash is not the chain's starting hash"
                        : "prevHash does not link to the hash of event " + (i - 1));
            }
            if (e.hash() == null || !e.hash().equals(hashOf(expectedPrev, e))) {
                return Verification.brokenAt(i, "hash does not match the event's content");
            }
            expectedPrev = e.hash();
        }
        return Verification.intact();
    }

    /**
     * Outcome of {@link #verify}.
     *
     * @param ok          whether every event links and hashes correctly
     * @param brokenIndex index of the first bad event, or -1 if ok
     * @param reason      why that event is bad, or null if ok
     */
    public record Verification(boolean ok, int brokenIndex, String reason) {

        public static Verification intact() {
            return new Verification(true, -1, null);
        }

        static Verification brokenAt(int index, String reason) {
            return new Verification(false, index, reason);
        }
    }

    private static String sha256Hex(String text) {
        return Sha256Hex.ofUtf8(text);
    }
}
