package dev.lethe.core.events;

import java.time.Instant;
import java.util.Objects;

/**
 * A data subject's request to be forgotten, as read by {@link DeletionRequestReader}.
 *
 * @param requestId   caller-chosen id, unique per request; the key for deduplication and audit
 * @param subjectId   the raw subject id: use it to find the subject's samples, never log it
 *                    ({@link #toString()} redacts it; audit events carry {@link Pseudonymizer}'s
 *                    subject reference instead)
 * @param requestedAt when the request was made, or {@code null} if the producer did not say
 */
public record DeletionRequest(String requestId, String subjectId, Instant requestedAt) {

    public DeletionRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(subjectId, "subjectId");
    }

    /** Redacts the subject id, so that logging a request cannot leak it. */
    @Override
    public String toString() {
        return "DeletionRequest[requestId=" + requestId + ", subjectId=<redacted>, requestedAt=" + requestedAt + "]";
    }
}
