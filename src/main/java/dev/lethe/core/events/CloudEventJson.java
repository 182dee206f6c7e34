package dev.lethe.core.events;

import static dev.lethe.core.events.JsonFields.field;
import static dev.lethe.core.events.JsonFields.instant;
import static dev.lethe.core.events.JsonFields.integer;
import static dev.lethe.core.events.JsonFields.nullableInteger;
import static dev.lethe.core.events.JsonFields.nullableString;
import static dev.lethe.core.events.JsonFields.number;
import static dev.lethe.core.events.JsonFields.object;
import static dev.lethe.core.events.JsonFields.string;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.lethe.core.events.Inputs.RejectedInput;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Structured-mode CloudEvents JSON for the events Lethe publishes (model versions, audit events),
 * and the way back for consumers, auditors and tests.
 *
 * <p>Written shape: {@code {"specversion": "1.0", "id", "source", "type", "time" (RFC 3339, UTC),
 * "datacontenttype": "application/json", "subject"?, "data"}}. Send it with the Kafka header
 * {@code content-type: }{@value EventTypes#STRUCTURED_CONTENT_TYPE}.
 *
 * <p>Ids: the caller passes them, and must make them unique per source and deterministic, so that
 * a retried publication carries the same id and consumers can deduplicate.
 * {@link #modelVersionEventId} and {@link #auditEventId} give such ids.
 *
 * <p>Doubles that are NaN or infinite are written as JSON {@code null} and read back as NaN.
 */
public final class CloudEventJson {

    private CloudEventJson() {
    }

    // ---- envelopes ------------------------------------------------------------------------

    /** The event as structured-mode JSON, UTF-8. */
    public static byte[] write(CloudEvent event) {
        try {
            return Inputs.MAPPER.writeValueAsBytes(toJson(event));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a CloudEvent", e);
        }
    }

    /** The event as a structured-mode JSON tree. */
    public static ObjectNode toJson(CloudEvent event) {
        ObjectNode json = Inputs.MAPPER.createObjectNode();
        json.put("specversion", EventTypes.SPEC_VERSION);
        json.put("id", event.id());
        json.put("source", event.source());
        json.put("type", event.type());
        json.put("time", event.time().toString());
        json.put("datacontenttype", EventTypes.DATA_CONTENT_TYPE);
        if (event.subject() != null) {
            json.put("subject", event.subject());
        }
        json.set("data", event.data());
        return json;
    }

    /**
     * Reads a structured-mode CloudEvent with JSON data.
     *
     * @throws IllegalArgumentException with a human reason if it is not one
     */
    public static CloudEvent parse(byte[] json) {
        try {
            JsonNode root = Inputs.jsonObject(json, Integer.MAX_VALUE);
            String specVersion = Inputs.text(root, "specversion", "specversion");
            if (!EventTypes.SPEC_VERSION.equals(specVersion)) {
                throw new RejectedInput("unsupported specversion " + Inputs.quote(specVersion));
            }
            JsonNode contentType = root.get("datacontenttype");
            if (contentType != null && !(contentType.isTextual() && Inputs.isJson(contentType.textValue()))) {
                throw new RejectedInput("datacontenttype must be application/json");
            }
            Instant time = Inputs.optionalInstant(root, "time", "time");
            if (time == null) {
                throw new RejectedInput("time is missing");
            }
            JsonNode data = root.get("data");
            if (data == null || data.isNull()) {
                throw new RejectedInput("data is missing");
            }
            JsonNode subject = root.get("subject");
            return new CloudEvent(Inputs.text(root, "id", "id"), Inputs.text(root, "source", "source"),
                    Inputs.text(root, "type", "type"), time,
                    subject == null || subject.isNull() ? null : Inputs.text(root, "subject", "subject"), data);
        } catch (RejectedInput e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    // ---- model versions -------------------------------------------------------------------

    /** A deterministic event id for a model version: {@code model-version:<model>:<version>}. */
    public static String modelVersionEventId(String model, long version) {
        return "model-version:" + model + ":" + version;
    }

    /**
     * A {@value EventTypes#MODEL_VERSION_PUBLISHED} event from {@link EventTypes#source} of its model, subject =
     * model name, id = {@link #modelVersionEventId}, time = {@code createdAt}.
     */
    public static CloudEvent modelVersionPublished(ModelVersionEvent version) {
        return modelVersionPublished(modelVersionEventId(version.model(), version.version()),
                EventTypes.source(version.model()),
                version.createdAt(), version);
    }

    /** A {@value EventTypes#MODEL_VERSION_PUBLISHED} event with the given id, source and time. */
    public static CloudEvent modelVersionPublished(String id, String source, Instant time, ModelVersionEvent version) {
        return new CloudEvent(id, source, EventTypes.MODEL_VERSION_PUBLISHED, time, version.model(), data(version));
    }

    /** The data of a model-version event. */
    public static ObjectNode data(ModelVersionEvent v) {
        ObjectNode json = Inputs.MAPPER.createObjectNode();
        json.put("model", v.model());
        json.put("version", v.version());
        json.put("parentVersion", v.parentVersion());
        json.put("artifactUri", v.artifactUri());
        json.put("sha256", v.sha256());
        json.put("sizeBytes", v.sizeBytes());
        json.put("createdAt", v.createdAt().toString());
        ArrayNode ids = json.putArray("requestIds");
        v.requestIds().forEach(ids::add);
        json.put("samplesForgotten", v.samplesForgotten());
        ObjectNode metrics = json.putObject("metrics");
        putDouble(metrics, "forgetAcc", v.metrics().forgetAcc());
        putDouble(metrics, "holdoutAcc", v.metrics().holdoutAcc());
        putDouble(metrics, "miaAuc", v.metrics().miaAuc());
        putDouble(metrics, "miaAucBefore", v.metrics().miaAucBefore());
        if (v.metrics().verification() != null) {
            v.metrics().verification().writeTo(metrics);
        }
        json.put("device", v.device());
        json.put("format", v.format());
        putUnlearning(json, v.unlearning());
        if (v.rebase() != null) {
            ObjectNode rebase = json.putObject("rebase");
            rebase.put("retrainId", v.rebase().retrainId());
            ObjectNode position = rebase.putObject("samplesPosition");
            new java.util.TreeMap<>(v.rebase().samplesPosition()).forEach((p, o) -> position.put(String.valueOf(p), o));
        }
        return json;
    }

    private static ModelVersionEvent.Rebase rebaseOf(JsonNode data) {
        JsonNode r = data.get("rebase");
        if (r == null || r.isNull()) {
            return null;
        }
        JsonNode position = object(r, "samplesPosition");
        java.util.Map<Integer, Long> offsets = new java.util.HashMap<>();
        position.fields().forEachRemaining(e -> {
            if (!e.getValue().canConvertToLong()) {
                throw new IllegalArgumentException("rebase.samplesPosition must map partitions to offsets");
            }
            offsets.put(Integer.parseInt(e.getKey()), e.getValue().longValue());
        });
        return new ModelVersionEvent.Rebase(string(r, "retrainId"), offsets);
    }

    /** {@code "unlearning": {...}} when there is a record; absent otherwise (older readers ignore it). */
    private static void putUnlearning(ObjectNode json, UnlearningRecord u) {
        if (u == null) {
            return;
        }
        ObjectNode node = json.putObject("unlearning");
        node.put("method", u.method());
        node.put("parameterPattern", u.parameterPattern());
        ArrayNode changed = node.putArray("changedTensors");
        u.changedTensors().forEach(changed::add);
        node.put("tensors", u.tensors());
        node.put("path", u.path());
    }

    private static UnlearningRecord unlearningOf(JsonNode data) {
        JsonNode u = data.get("unlearning");
        if (u == null || u.isNull()) {
            return null;
        }
        if (!u.isObject()) {
            throw new IllegalArgumentException("unlearning must be an object");
        }
        JsonNode changed = field(u, "changedTensors");
        if (!changed.isArray()) {
            throw new IllegalArgumentException("unlearning.changedTensors must be an array");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode n : changed) {
            if (!n.isTextual()) {
                throw new IllegalArgumentException("unlearning.changedTensors must hold strings");
            }
            names.add(n.textValue());
        }
        return new UnlearningRecord(string(u, "method"), nullableString(u, "parameterPattern"), names,
                Math.toIntExact(integer(u, "tensors")), string(u, "path"));
    }

    /**
     * Reads the data of a model-version event.
     *
     * @throws IllegalArgumentException if a field is missing or of the wrong kind
     */
    public static ModelVersionEvent modelVersionOf(JsonNode data) {
        JsonNode m = object(data, "metrics");
        List<String> requestIds = new ArrayList<>();
        JsonNode ids = field(data, "requestIds");
        if (!ids.isArray()) {
            throw new IllegalArgumentException("requestIds must be an array");
        }
        for (JsonNode id : ids) {
            if (!id.isTextual()) {
                throw new IllegalArgumentException("requestIds must hold strings");
            }
            requestIds.add(id.textValue());
        }
        return new ModelVersionEvent(string(data, "model"), integer(data, "version"),
                nullableInteger(data, "parentVersion"), string(data, "artifactUri"), string(data, "sha256"),
                integer(data, "sizeBytes"), instant(data, "createdAt"), requestIds,
                Math.toIntExact(integer(data, "samplesForgotten")),
                new ModelVersionEvent.Metrics(number(m, "forgetAcc"), number(m, "holdoutAcc"), number(m, "miaAuc"),
                        number(m, "miaAucBefore"), GateRecord.readFrom(m)),
                string(data, "device"),
                // Events from before formats were recorded describe Lethe artifacts.
                data.hasNonNull("format") ? string(data, "format") : ModelVersionEvent.LETHE, unlearningOf(data),
                rebaseOf(data));
    }

    // ---- audit events ---------------------------------------------------------------------

    /**
     * A deterministic event id for a chained audit event: {@code audit:<hash>}. The chain hash
     * covers the event and everything before it, so the id is unique and a retry reuses it.
     */
    public static String auditEventId(AuditEvent event) {
        requireChained(event);
        return "audit:" + event.hash();
    }

    /**
     * An audit event from {@link EventTypes#source} of its model, type = {@code event.type()}, subject = request
     * id, id = {@link #auditEventId}.
     *
     * @throws IllegalArgumentException if the event was not appended to an {@link AuditChain}
     */
    public static CloudEvent audit(Instant time, AuditEvent event) {
        return audit(auditEventId(event), EventTypes.source(event.model()), time, event);
    }

    /** An audit event with the given id, source and time; the event must be chained. */
    public static CloudEvent audit(String id, String source, Instant time, AuditEvent event) {
        requireChained(event);
        return new CloudEvent(id, source, event.type(), time, event.requestId(), data(event));
    }

    /** The data of an audit event (with {@code prevHash}/{@code hash} null if not yet chained). */
    public static ObjectNode data(AuditEvent e) {
        ObjectNode json = Inputs.MAPPER.createObjectNode();
        json.put("type", e.type());
        json.put("requestId", e.requestId());
        json.put("subjectRef", e.subjectRef());
        json.put("samplesForgotten", e.samplesForgotten());
        json.put("modelVersion", e.modelVersion());
        if (e.mia() == null) {
            json.putNull("mia");
        } else {
            ObjectNode mia = json.putObject("mia");
            putDouble(mia, "auc", e.mia().auc());
            putDouble(mia, "aucBefore", e.mia().aucBefore());
            putDouble(mia, "threshold", e.mia().threshold());
            mia.put("passed", e.mia().passed());
            if (e.mia().verification() != null) {
                e.mia().verification().writeTo(mia);
            }
        }
        if (e.reason() != null) {
            json.put("reason", e.reason());
        }
        putUnlearning(json, e.unlearning());
        json.put("prevHash", e.prevHash());
        json.put("hash", e.hash());
        if (e.hashAlg() != null) { // absent on events written before the JCS chain (legacy hashing)
            json.put("hashAlg", e.hashAlg());
        }
        if (e.model() != null) { // absent on events written before models shared an audit topic
            json.put("model", e.model());
        }
        return json;
    }

    /**
     * Reads the data of an audit event.
     *
     * @throws IllegalArgumentException if a field is missing or of the wrong kind
     */
    public static AuditEvent auditEventOf(JsonNode data) {
        JsonNode miaNode = field(data, "mia");
        AuditEvent.Mia mia = null;
        if (!miaNode.isNull()) {
            if (!miaNode.isObject()) {
                throw new IllegalArgumentException("mia must be an object or null");
            }
            JsonNode passed = field(miaNode, "passed");
            if (!passed.isBoolean()) {
                throw new IllegalArgumentException("mia.passed must be a boolean");
            }
            mia = new AuditEvent.Mia(number(miaNode, "auc"), number(miaNode, "aucBefore"),
                    number(miaNode, "threshold"), passed.booleanValue(), GateRecord.readFrom(miaNode));
        }
        JsonNode reason = data.get("reason");
        if (reason != null && !reason.isNull() && !reason.isTextual()) {
            throw new IllegalArgumentException("reason must be a string");
        }
        return new AuditEvent(string(data, "type"), string(data, "requestId"), string(data, "subjectRef"),
                Math.toIntExact(integer(data, "samplesForgotten")), nullableInteger(data, "modelVersion"), mia,
                reason == null || reason.isNull() ? null : reason.textValue(),
                nullableString(data, "prevHash"), nullableString(data, "hash"), nullableString(data, "hashAlg"),
                unlearningOf(data), nullableString(data, "model"));
    }

    /**
     * Reads an audit CloudEvent's data, checking that the envelope type equals the data's type.
     *
     * @throws IllegalArgumentException if it is not an audit event
     */
    public static AuditEvent auditEventOf(CloudEvent event) {
        AuditEvent audit = auditEventOf(event.data());
        if (!audit.type().equals(event.type())) {
            throw new IllegalArgumentException("CloudEvent type and data type differ");
        }
        return audit;
    }

    private static void requireChained(AuditEvent event) {
        if (event.prevHash() == null || event.hash() == null) {
            throw new IllegalArgumentException("append the audit event to an AuditChain before publishing it");
        }
    }

    // ---- helpers --------------------------------------------------------------------------

    private static void putDouble(ObjectNode json, String name, double value) {
        if (Double.isFinite(value)) {
            json.put(name, value);
        } else {
            json.putNull(name);
        }
    }
}
