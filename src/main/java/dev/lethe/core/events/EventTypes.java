package dev.lethe.core.events;

import java.util.List;

/**
 * Names shared by Lethe's producers, consumers and tests: CloudEvent types, the default topic
 * names (each is configurable; these are the defaults), and Kafka header names.
 *
 * <p>CloudEvents follow the Kafka protocol binding of CloudEvents 1.0: structured mode carries the
 * whole event as JSON in the value (header {@value #CONTENT_TYPE_HEADER} =
 * {@value #STRUCTURED_CONTENT_TYPE}); binary mode carries the attributes as {@code ce_*} headers and
 * only the data in the value.
 */
public final class EventTypes {

    private EventTypes() {
    }

    // ---- CloudEvent attributes ------------------------------------------------------------

    /** {@code source} of events that name no model (written before models shared topics). */
    public static final String SOURCE = "urn:lethe";

    /**
     * {@code source} of the events Lethe publishes for {@code model}: {@code urn:lethe:<model>}, so that
     * several models on one set of topics have distinct sources (and CloudEvent source + id stay
     * unique). Characters outside {@code [A-Za-z0-9._-]} are percent-encoded as UTF-8.
     */
    public static String source(String model) {
        if (model == null) {
            return SOURCE;
        }
        StringBuilder b = new StringBuilder(SOURCE).append(':');
        for (byte x : model.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                    || c == '-') {
                b.append(c);
            } else {
                b.append('%').append(String.format("%02X", x & 0xff));
            }
        }
        return b.toString();
    }
    /** The only CloudEvents spec version read and written. */
    public static final String SPEC_VERSION = "1.0";
    /** {@code datacontenttype} of every event Lethe publishes. */
    public static final String DATA_CONTENT_TYPE = "application/json";
    /** Kafka {@code content-type} header of a structured-mode CloudEvent. */
    public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";

    // ---- CloudEvent types -----------------------------------------------------------------

    /** A data subject asks to be forgotten (in: {@link #DELETION_REQUESTS_TOPIC}). */
    public static final String DELETION_REQUESTED = "dev.lethe.deletion.requested";
    /**
     * The training pipeline retrained a model from {@link #SAMPLES_TOPIC} up to a position (in:
     * {@link #MODEL_VERSIONS_TOPIC}, key = model); Lethe rebases onto it (ADR 0015).
     */
    public static final String MODEL_RETRAINED = "dev.lethe.model.retrained";
    /** A new model version, with its artifact and verification metrics (out: {@link #MODEL_VERSIONS_TOPIC}). */
    public static final String MODEL_VERSION_PUBLISHED = "dev.lethe.model.version.published";
    /** Audit: a deletion request was read and accepted for processing. */
    public static final String DELETION_RECEIVED = "dev.lethe.deletion.received";
    /** Audit: the subject's samples were unlearned and the check passed; a model version carries it. */
    public static final String DELETION_COMPLETED = "dev.lethe.deletion.completed";
    /** Audit: unlearning did not pass the membership check; the request needs a retrain or a human. */
    public static final String DELETION_ESCALATED = "dev.lethe.deletion.escalated";
    /** Audit: the request was readable but cannot be honoured (the reason says why). */
    public static final String DELETION_REJECTED = "dev.lethe.deletion.rejected";
    /** Audit: approximate unlearning is not enough; the model must be retrained without the data. */
    public static final String RETRAIN_REQUIRED = "dev.lethe.retrain.required";

    /**
     * Audit: a superseded model version's artifact was deleted (it still encoded the subjects
     * erased after it); {@code modelVersion} names it.
     */
    public static final String MODEL_VERSION_RETIRED = "dev.lethe.model.version.retired";
    /**
     * Audit: a retrain from the training pipeline became the new base version ({@code modelVersion}),
     * with the erasures it missed re-applied; {@code requestId} is the retrain event's id.
     */
    public static final String MODEL_REBASED = "dev.lethe.model.rebased";
    /** Audit: a retrain was not adopted (the reason says why); the current version stays current. */
    public static final String MODEL_REBASE_REFUSED = "dev.lethe.model.rebase.refused";

    /** Every type that {@link AuditEvent} may carry, in lifecycle order. */
    public static final List<String> AUDIT_TYPES = List.of(
            DELETION_RECEIVED, DELETION_COMPLETED, DELETION_ESCALATED, DELETION_REJECTED, RETRAIN_REQUIRED,
            MODEL_VERSION_RETIRED, MODEL_REBASED, MODEL_REBASE_REFUSED);

    // ---- Topics (defaults) ----------------------------------------------------------------

    /** Training samples, key = sampleId, compacted; a null value (tombstone) removes a sample. */
    public static final String SAMPLES_TOPIC = "lethe.samples";
    /** Deletion requests, key = subjectId. */
    public static final String DELETION_REQUESTS_TOPIC = "lethe.deletion-requests";
    /** Published model versions, key = model name. */
    public static final String MODEL_VERSIONS_TOPIC = "lethe.model-versions";
    /** Hash-chained audit events, key = requestId. */
    public static final String AUDIT_TOPIC = "lethe.audit";
    /** Deletion-request records that could not be read, with a {@value #DEAD_LETTER_REASON} header. */
    public static final String DELETION_REQUESTS_DLQ_TOPIC = "lethe.deletion-requests.dlq";
    public static final String SAMPLES_DLQ_TOPIC = "lethe.samples.dlq";
    /** Retrained models announced by the training pipeline, key = model name (issue 16, ADR 0015). */
    public static final String RETRAINS_TOPIC = "lethe.retrains";
    /** Retrain records that could not be read, with a {@value #DEAD_LETTER_REASON} header. */
    public static final String RETRAINS_DLQ_TOPIC = "lethe.retrains.dlq";

    /** All eight topics. */
    public static final List<String> TOPICS = List.of(
            SAMPLES_TOPIC, DELETION_REQUESTS_TOPIC, MODEL_VERSIONS_TOPIC, AUDIT_TOPIC, DELETION_REQUESTS_DLQ_TOPIC,
            SAMPLES_DLQ_TOPIC, RETRAINS_TOPIC, RETRAINS_DLQ_TOPIC);

    // ---- Headers --------------------------------------------------------------------------

    /**
     * The model whose daemon wrote a tombstone or a dead letter. Several models may share the topics:
     * a model's index drops a sample only on its own tombstones (or on ones naming no model, as the
     * training pipeline writes), never on another model's, which it has not unlearned yet.
     */
    public static final String MODEL_HEADER = "lethe-model";

    /** Prefix of binary-mode CloudEvent attribute headers. */
    public static final String CE_PREFIX = "ce_";
    public static final String CE_SPECVERSION = "ce_specversion";
    public static final String CE_ID = "ce_id";
    public static final String CE_SOURCE = "ce_source";
    public static final String CE_TYPE = "ce_type";
    public static final String CE_TIME = "ce_time";
    public static final String CE_SUBJECT = "ce_subject";
    /** Kafka header naming the value's media type (CloudEvents Kafka binding). */
    public static final String CONTENT_TYPE_HEADER = "content-type";

    /** Why a record went to the dead-letter topic: a human sentence, never containing a subject id. */
    public static final String DEAD_LETTER_REASON = "dead-letter-reason";
    /** Topic the dead-lettered record was read from. */
    public static final String DEAD_LETTER_TOPIC = "dead-letter-topic";
    /** Partition the dead-lettered record was read from. */
    public static final String DEAD_LETTER_PARTITION = "dead-letter-partition";
    /** Offset of the dead-lettered record. */
    public static final String DEAD_LETTER_OFFSET = "dead-letter-offset";
}
