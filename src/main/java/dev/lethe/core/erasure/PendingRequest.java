package dev.lethe.core.erasure;

import java.time.Instant;
import java.util.Objects;

/**
 * A deletion request that passed deduplication and waits to be unlearned. It keeps where it came
 * from ({@code partition}, {@code offset} of the requests topic) so that a batch can tell which
 * consumed offsets are safe to commit once it is published; requests without a source use
 * {@link #NO_PARTITION}.
 *
 * @param receivedAt when Lethe received the request (stamped on arrival, not the requester's
 *                   clock), which is what the batcher's linger time is measured from
 */
public record PendingRequest(String requestId, String subjectId, Instant receivedAt, int partition,
        long offset) {

    /** Partition of a request that did not come from a topic (tests, the REST API). */
    public static final int NO_PARTITION = -1;

    public PendingRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(subjectId, "subjectId");
        Objects.requireNonNull(receivedAt, "receivedAt");
        if (partition < NO_PARTITION) {
            throw new IllegalArgumentException("partition must be >= 0 or NO_PARTITION, was " + partition);
        }
        if (partition != NO_PARTITION && offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
    }

    /** A request with no source position. */
    public PendingRequest(String requestId, String subjectId, Instant receivedAt) {
        this(requestId, subjectId, receivedAt, NO_PARTITION, -1);
    }

    /** Whether the request came from a topic partition, so its offset matters for commits. */
    public boolean hasSource() {
        return partition != NO_PARTITION;
    }
}
