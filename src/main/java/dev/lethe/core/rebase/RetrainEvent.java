package dev.lethe.core.rebase;

import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.events.Sha256Hex;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The training pipeline retrained {@code model} from {@code lethe.samples} up to {@code samplesPosition}
 * (per partition, the records with offset below it; a tombstone below it means the sample was dropped).
 *
 * @param id              the CloudEvent id of the retrain event
 * @param model           the model retrained
 * @param artifactUri     where the retrained artifact is
 * @param sha256          the artifact's digest, 64 lowercase hex digits
 * @param format          {@value ModelVersionEvent#TORCHSCRIPT} or {@value ModelVersionEvent#LETHE}
 * @param samplesPosition partition → first offset not read; non-empty, immutable, ordered by partition
 * @param trainedAt       when training finished
 */
public record RetrainEvent(String id, String model, String artifactUri, String sha256, String format,
        Map<Integer, Long> samplesPosition, Instant trainedAt) {

    public RetrainEvent {
        requireNonBlank(id, "id");
        requireNonBlank(model, "model");
        requireNonBlank(artifactUri, "artifactUri");
        if (!Sha256Hex.isValid(sha256)) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits");
        }
        if (!ModelVersionEvent.TORCHSCRIPT.equals(format) && !ModelVersionEvent.LETHE.equals(format)) {
            throw new IllegalArgumentException("format must be " + ModelVersionEvent.TORCHSCRIPT + " or "
                    + ModelVersionEvent.LETHE + ", was " + format);
        }
        samplesPosition = position(samplesPosition, "samplesPosition");
        if (samplesPosition.isEmpty()) {
            throw new IllegalArgumentException("samplesPosition must name at least one partition");
        }
        Objects.requireNonNull(trainedAt, "trainedAt");
    }

    /**
     * A checked, immutable copy of a position (partition → offset, both ≥ 0), ordered by partition.
     *
     * @throws IllegalArgumentException for a null or negative partition or offset
     */
    static Map<Integer, Long> position(Map<Integer, Long> position, String what) {
        Objects.requireNonNull(position, what);
        TreeMap<Integer, Long> copy = new TreeMap<>();
        position.forEach((partition, offset) -> {
            if (partition == null || partition < 0) {
                throw new IllegalArgumentException(what + ": partitions must be >= 0, was " + partition);
            }
            if (offset == null || offset < 0) {
                throw new IllegalArgumentException(what + ": offsets must be >= 0, was " + offset
                        + " for partition " + partition);
            }
            copy.put(partition, offset);
        });
        return Collections.unmodifiableMap(copy);
    }

    private static void requireNonBlank(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }
}
