package dev.lethe.core.events;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Data of a {@value EventTypes#MODEL_VERSION_PUBLISHED} event: a new model version, the artifact
 * that holds it, and what it forgot.
 *
 * @param model            model name (the record key on the model-versions topic)
 * @param version          1, 2, 3, … per model
 * @param parentVersion    the version it was derived from, or {@code null} for the first
 * @param artifactUri      where the artifact lies
 * @param sha256           lowercase hex SHA-256 of the artifact
 * @param sizeBytes        artifact size
 * @param createdAt        when the version was made
 * @param requestIds       the deletion requests it honours (may be empty)
 * @param samplesForgotten number of samples unlearned since the parent
 * @param metrics          verification metrics
 * @param device           what ran the unlearning, e.g. {@code cpu} or {@code gpu}
 * @param format           the artifact's format: {@value #TORCHSCRIPT} (a plain TorchScript file,
 *                         {@code torch.jit.load} opens it) or {@value #LETHE} (a built-in architecture)
 * @param unlearning       what the unlearning that made this version changed, or {@code null} for a
 *                         version no unlearning made (the initial model)
 * @param rebase           for a new base adopted from the training pipeline's retrain (no parent):
 *                         which retrain and the samples position it was trained from; otherwise {@code null}
 */
public record ModelVersionEvent(String model, long version, Long parentVersion, String artifactUri, String sha256,
        long sizeBytes, Instant createdAt, List<String> requestIds, int samplesForgotten, Metrics metrics,
        String device, String format, UnlearningRecord unlearning, Rebase rebase) {

    /**
     * A version adopted from a retrain: {@code requestIds} of the event are then the erasures
     * re-applied to it (completed after {@code samplesPosition}, so missing from its training data).
     *
     * @param retrainId       the id of the {@value EventTypes#MODEL_RETRAINED} event
     * @param samplesPosition per {@code lethe.samples} partition, the offset the retrain read up to (exclusive)
     */
    public record Rebase(String retrainId, java.util.Map<Integer, Long> samplesPosition) {
        public Rebase {
            if (retrainId == null || retrainId.isBlank()) {
                throw new IllegalArgumentException("rebase.retrainId must be non-blank");
            }
            samplesPosition = java.util.Map.copyOf(Objects.requireNonNull(samplesPosition, "samplesPosition"));
        }
    }

    /** A version that is not a rebase. */
    public ModelVersionEvent(String model, long version, Long parentVersion, String artifactUri, String sha256,
            long sizeBytes, Instant createdAt, List<String> requestIds, int samplesForgotten, Metrics metrics,
            String device, String format, UnlearningRecord unlearning) {
        this(model, version, parentVersion, artifactUri, sha256, sizeBytes, createdAt, requestIds, samplesForgotten,
                metrics, device, format, unlearning, null);
    }

    public static final String LETHE = "lethe";
    public static final String TORCHSCRIPT = "torchscript";

    /** A version in Lethe's own format that no unlearning made (events written before formats existed). */
    public ModelVersionEvent(String model, long version, Long parentVersion, String artifactUri, String sha256,
            long sizeBytes, Instant createdAt, List<String> requestIds, int samplesForgotten, Metrics metrics,
            String device) {
        this(model, version, parentVersion, artifactUri, sha256, sizeBytes, createdAt, requestIds, samplesForgotten,
                metrics, device, LETHE, null);
    }

    /**
     * Verification metrics of a model version. A value that could not be measured is
     * {@link Double#NaN} (JSON {@code null}).
     *
     * @param forgetAcc    accuracy on the forgotten samples
     * @param holdoutAcc   accuracy on never-trained-on samples
     * @param miaAuc       membership-inference AUC, forget vs holdout, after unlearning (≈ 0.5 is good)
     * @param miaAucBefore the same before unlearning
     * @param verification method, objective, attacks with thresholds, approximate; null for version 1
     */
    public record Metrics(double forgetAcc, double holdoutAcc, double miaAuc, double miaAucBefore,
            GateRecord verification) {
        public Metrics(double forgetAcc, double holdoutAcc, double miaAuc, double miaAucBefore) {
            this(forgetAcc, holdoutAcc, miaAuc, miaAucBefore, null);
        }
    }

    public ModelVersionEvent {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must be non-blank");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, was " + version);
        }
        if (parentVersion != null && (parentVersion < 1 || parentVersion >= version)) {
            throw new IllegalArgumentException("parentVersion must be in [1, " + version + "), was " + parentVersion);
        }
        if (artifactUri == null || artifactUri.isBlank()) {
            throw new IllegalArgumentException("artifactUri must be non-blank");
        }
        if (sha256 == null || !Sha256Hex.isValid(sha256)) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits");
        }
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must not be negative");
        }
        Objects.requireNonNull(createdAt, "createdAt");
        requestIds = List.copyOf(Objects.requireNonNull(requestIds, "requestIds"));
        if (samplesForgotten < 0) {
            throw new IllegalArgumentException("samplesForgotten must not be negative");
        }
        Objects.requireNonNull(metrics, "metrics");
        if (device == null || device.isBlank()) {
            throw new IllegalArgumentException("device must be non-blank");
        }
        if (!LETHE.equals(format) && !TORCHSCRIPT.equals(format)) {
            throw new IllegalArgumentException("format must be " + LETHE + " or " + TORCHSCRIPT + ", was " + format);
        }
        if (rebase != null && parentVersion != null) {
            throw new IllegalArgumentException("a rebased version has no parent");
        }
    }
}
