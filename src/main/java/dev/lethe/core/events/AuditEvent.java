package dev.lethe.core.events;

import java.util.Objects;

/**
 * Data of an audit event on the audit topic (types {@link EventTypes#AUDIT_TYPES}).
 *
 * <p>The event type is part of the data, so that the hash chain ({@link AuditChain}) covers it: an
 * "escalated" cannot be rewritten into a "completed" without breaking the chain. The subject is
 * present only as {@code subjectRef}, the {@link Pseudonymizer} digest of its id; the constructor
 * insists on 64 hex digits so that a raw id cannot slip in.
 *
 * @param type             one of {@link EventTypes#AUDIT_TYPES}
 * @param requestId        the deletion request (the record key on the audit topic)
 * @param subjectRef       HMAC-SHA256 of the subject id, lowercase hex
 * @param samplesForgotten samples unlearned for this request (0 where none)
 * @param modelVersion     the model version that carries the change, or {@code null}
 * @param mia              the membership check, or {@code null} where none ran
 * @param reason           human explanation (escalated, rejected, retrain required), or {@code null}
 * @param prevHash         hash of the previous audit event ({@link AuditChain#GENESIS_HASH} for the
 *                         first), or {@code null} before {@link AuditChain#append}
 * @param hash             this event's chain hash, or {@code null} before {@link AuditChain#append}
 * @param hashAlg          how {@code hash} was computed: {@link AuditChain#HASH_ALG}, or {@code null} for
 *                         events written before it existed (verified the legacy way)
 * @param unlearning       on {@code completed}: what the unlearning changed (method, parameter
 *                         pattern, tensors); {@code null} where no unlearning ran
 * @param model            the model whose trail this is (several models may share one audit topic,
 *                         each with its own chain); stamped by {@link AuditChain#append}, {@code null}
 *                         in events written before models shared topics
 */
public record AuditEvent(String type, String requestId, String subjectRef, int samplesForgotten, Long modelVersion,
        Mia mia, String reason, String prevHash, String hash, String hashAlg, UnlearningRecord unlearning,
        String model) {

    /**
     * Result of the membership-inference check. A value that could not be measured is
     * {@link Double#NaN} (JSON {@code null}).
     *
     * @param auc       attack AUC after unlearning
     * @param aucBefore attack AUC before unlearning
     * @param threshold the AUC at or below which the check passes
     * @param passed    whether it passed
     * @param verification method, objective, every attack with its threshold, verdict; null in
     *                  events that carry no unlearning (nothing to forget) and in older events
     */
    public record Mia(double auc, double aucBefore, double threshold, boolean passed, GateRecord verification) {
        public Mia(double auc, double aucBefore, double threshold, boolean passed) {
            this(auc, aucBefore, threshold, passed, null);
        }
    }

    public AuditEvent {
        if (type == null || !EventTypes.AUDIT_TYPES.contains(type)) {
            throw new IllegalArgumentException("type must be one of " + EventTypes.AUDIT_TYPES + ", was " + type);
        }
        if (requestId == null || requestId.isBlank()) {
            throw new IllegalArgumentException("requestId must be non-blank");
        }
        if (subjectRef == null || !Sha256Hex.isValid(subjectRef)) {
            throw new IllegalArgumentException("subjectRef must be a Pseudonymizer digest (64 lowercase hex digits)");
        }
        if (samplesForgotten < 0) {
            throw new IllegalArgumentException("samplesForgotten must not be negative");
        }
        if (modelVersion != null && modelVersion < 1) {
            throw new IllegalArgumentException("modelVersion must be at least 1");
        }
        if (prevHash != null && !Sha256Hex.isValid(prevHash)) {
            throw new IllegalArgumentException("prevHash must be 64 lowercase hex digits");
        }
        if (hash != null && !Sha256Hex.isValid(hash)) {
            throw new IllegalArgumentException("hash must be 64 lowercase hex digits");
        }
        if (hashAlg != null && !AuditChain.HASH_ALG.equals(hashAlg)) {
            throw new IllegalArgumentException("hashAlg must be " + AuditChain.HASH_ALG + " or absent, was " + hashAlg);
        }
        if (model != null && model.isBlank()) {
            throw new IllegalArgumentException("model must be non-blank or absent");
        }
    }

    /** An event of the current chain format ({@code hashAlg} = {@link AuditChain#HASH_ALG}). */
    /** An event of no model yet ({@link AuditChain#append} stamps its chain's). */
    public AuditEvent(String type, String requestId, String subjectRef, int samplesForgotten, Long modelVersion,
            Mia mia, String reason, String prevHash, String hash, String hashAlg, UnlearningRecord unlearning) {
        this(type, requestId, subjectRef, samplesForgotten, modelVersion, mia, reason, prevHash, hash, hashAlg,
                unlearning, null);
    }

    public AuditEvent(String type, String requestId, String subjectRef, int samplesForgotten, Long modelVersion,
            Mia mia, String reason, String prevHash, String hash) {
        this(type, requestId, subjectRef, samplesForgotten, modelVersion, mia, reason, prevHash, hash,
                AuditChain.HASH_ALG, null);
    }

    /** An event with the given {@code hashAlg} and no unlearning record. */
    public AuditEvent(String type, String requestId, String subjectRef, int samplesForgotten, Long modelVersion,
            Mia mia, String reason, String prevHash, String hash, String hashAlg) {
        this(type, requestId, subjectRef, samplesForgotten, modelVersion, mia, reason, prevHash, hash, hashAlg, null);
    }

    /** {@value EventTypes#DELETION_RECEIVED}: the request was read and accepted. */
    public static AuditEvent received(String requestId, String subjectRef) {
        return new AuditEvent(EventTypes.DELETION_RECEIVED, requestId, subjectRef, 0, null, null, null, null, null);
    }

    /** {@value EventTypes#DELETION_COMPLETED}: unlearned, checked, published as {@code modelVersion}. */
    public static AuditEvent completed(String requestId, String subjectRef, int samplesForgotten, long modelVersion,
            Mia mia) {
        return completed(requestId, subjectRef, samplesForgotten, modelVersion, mia, null);
    }

    /** {@link #completed(String, String, int, long, Mia)} with what the unlearning changed. */
    public static AuditEvent completed(String requestId, String subjectRef, int samplesForgotten, long modelVersion,
            Mia mia, UnlearningRecord unlearning) {
        Objects.requireNonNull(mia, "mia");
        return new AuditEvent(EventTypes.DELETION_COMPLETED, requestId, subjectRef, samplesForgotten, modelVersion,
                mia, null, null, null, AuditChain.HASH_ALG, unlearning);
    }

    /** {@value EventTypes#DELETION_ESCALATED}: the check did not pass. */
    public static AuditEvent escalated(String requestId, String subjectRef, int samplesForgotten, Mia mia,
            String reason) {
        return new AuditEvent(EventTypes.DELETION_ESCALATED, requestId, subjectRef, samplesForgotten, null, mia,
                Objects.requireNonNull(reason, "reason"), null, null);
    }

    /** {@value EventTypes#DELETION_REJECTED}: the request cannot be honoured. */
    public static AuditEvent rejected(String requestId, String subjectRef, String reason) {
        return new AuditEvent(EventTypes.DELETION_REJECTED, requestId, subjectRef, 0, null, null,
                Objects.requireNonNull(reason, "reason"), null, null);
    }

    /** {@value EventTypes#RETRAIN_REQUIRED}: the data must be removed by retraining. */
    public static AuditEvent retrainRequired(String requestId, String subjectRef, int samplesForgotten,
            String reason) {
        return new AuditEvent(EventTypes.RETRAIN_REQUIRED, requestId, subjectRef, samplesForgotten, null, null,
                Objects.requireNonNull(reason, "reason"), null, null);
    }

    /**
     * {@value EventTypes#MODEL_VERSION_RETIRED}: the artifact of {@code modelVersion} was deleted.
     * {@code requestId} names the retirement (not a deletion request); {@code subjectRef} the model.
     */
    public static AuditEvent retired(String requestId, String subjectRef, long modelVersion, String reason) {
        return new AuditEvent(EventTypes.MODEL_VERSION_RETIRED, requestId, subjectRef, 0, modelVersion, null,
                Objects.requireNonNull(reason, "reason"), null, null);
    }

    /**
     * {@value EventTypes#MODEL_REBASED}: the retrain {@code retrainId} is published as the base
     * version {@code modelVersion}; {@code samplesForgotten} samples of completed erasures it missed
     * were re-applied, checked by {@code mia} ({@code null} when none had to be).
     */
    public static AuditEvent rebased(String retrainId, String modelRef, long modelVersion, int samplesForgotten, Mia mia,
            String reason, UnlearningRecord unlearning) {
        return new AuditEvent(EventTypes.MODEL_REBASED, retrainId, modelRef, samplesForgotten, modelVersion, mia,
                Objects.requireNonNull(reason, "reason"), null, null, AuditChain.HASH_ALG, unlearning);
    }

    /** {@value EventTypes#MODEL_REBASE_REFUSED}: the retrain {@code retrainId} was not adopted. */
    public static AuditEvent rebaseRefused(String retrainId, String modelRef, Mia mia, String reason) {
        return new AuditEvent(EventTypes.MODEL_REBASE_REFUSED, retrainId, modelRef, 0, null, mia,
                Objects.requireNonNull(reason, "reason"), null, null);
    }

    /** This event with the chain fields set (its {@code hashAlg} unchanged). */
    public AuditEvent withHashes(String prevHash, String hash) {
        return new AuditEvent(type, requestId, subjectRef, samplesForgotten, modelVersion, mia, reason, prevHash,
                hash, hashAlg, unlearning, model);
    }
}
