package dev.lethe.core.erasure;

import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.Set;

/**
 * Drops deletion requests whose {@code requestId} was already seen, so that a redelivered or
 * resent request is unlearned once. Ids are either <em>in flight</em> (accepted, not yet
 * published) or <em>completed</em> (published in the audit topic).
 *
 * <p>Memory is bounded by {@code capacity}: when more ids are remembered, the least recently used
 * <em>completed</em> ids are forgotten first. In-flight ids are never evicted (a redelivery of a
 * request still being unlearned must not start a second erasure), so the size can exceed the
 * capacity while more than {@code capacity} requests are in flight.
 *
 * <p>This class is only a cache: durable deduplication comes from the audit topic. On restart the
 * adapter replays the completed request ids from {@code lethe.audit} through
 * {@link #markCompleted(String)} before it consumes requests; an id evicted from here and resent
 * much later is caught there or, at worst, erases an already erased subject again (harmless).
 *
 * <p>Not thread-safe: confine an instance to the request listener's thread.
 */
public final class RequestDeduplicator {

    private final int capacity;
    private final Set<String> inFlight = new HashSet<>();
    /** Completed ids in access order, least recently used first. */
    private final LinkedHashMap<String, Boolean> completed = new LinkedHashMap<>(16, 0.75f, true);

    public RequestDeduplicator(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Records the id as in flight if it is new.
     *
     * @return true the first time an id is seen; false for a duplicate (in flight or completed)
     */
    public boolean firstTime(String requestId) {
        Objects.requireNonNull(requestId, "requestId");
        if (inFlight.contains(requestId) || completed.get(requestId) != null) { // get refreshes LRU
            return false;
        }
        inFlight.add(requestId);
        evict();
        return true;
    }

    /**
     * Marks an id completed: its erasure was published. Also used to replay completed ids from the
     * audit topic on restart, so the id need not have been seen before.
     */
    public void markCompleted(String requestId) {
        Objects.requireNonNull(requestId, "requestId");
        inFlight.remove(requestId);
        completed.put(requestId, Boolean.TRUE);
        evict();
    }

    /**
     * Forgets an in-flight id whose processing failed and will be retried from the topic, so that
     * the redelivered request is accepted again. Completed ids are not affected.
     *
     * @return whether the id was in flight
     */
    public boolean abandon(String requestId) {
        return inFlight.remove(requestId);
    }

    /** Whether the id is remembered as in flight or completed (does not refresh its LRU position). */
    public boolean contains(String requestId) {
        return inFlight.contains(requestId) || completed.containsKey(requestId);
    }

    public int inFlightCount() {
        return inFlight.size();
    }

    public int completedCount() {
        return completed.size();
    }

    /** All remembered ids, in flight and completed. */
    public int size() {
        return inFlight.size() + completed.size();
    }

    public int capacity() {
        return capacity;
    }

    private void evict() {
        Iterator<String> oldest = completed.keySet().iterator();
        while (size() > capacity && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }
}
