package dev.lethe.core.erasure;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Groups deduplicated deletion requests into forget batches. One unlearning run per request would
 * cost a full OrthoGrad pass each; one run for many subjects costs about the same, so requests
 * wait until enough samples are pending or the oldest request has waited long enough.
 *
 * <p>A batch closes when its requests' samples reach {@code maxSamples} (the next subject would
 * not fit) or when the oldest pending request has waited {@code linger}. Requests for a subject
 * already pending join that subject: the subject is counted once, with the largest sample count
 * offered for it. Subjects leave in arrival order; one whose samples alone exceed
 * {@code maxSamples} forms a batch on its own. A subject with no samples still forms part of a
 * batch: its erasure must be recorded even when there is nothing to unlearn.
 *
 * <p>The batcher knows nothing of batches already handed out: a request for a subject whose batch
 * is being unlearned starts a new pending entry. It has no threads and no clock; the caller passes
 * the time and calls {@link #poll(Instant)} until it returns empty, e.g. after every consumer poll
 * and at {@link #nextDeadline()}. Not thread-safe.
 */
public final class ForgetBatcher {

    /**
     * A closed forget batch.
     *
     * @param requests         every request in the batch, in arrival order
     * @param subjectIds       the distinct subjects, in arrival order
     * @param totalSamples     the sum of the subjects' sample counts
     * @param oldestReceivedAt when the batch's oldest request arrived
     */
    public record Batch(List<PendingRequest> requests, List<String> subjectIds, long totalSamples,
            Instant oldestReceivedAt) {

        public Batch {
            requests = List.copyOf(requests);
            subjectIds = List.copyOf(subjectIds);
            Objects.requireNonNull(oldestReceivedAt, "oldestReceivedAt");
        }
    }

    /** The pending requests of one subject. */
    private static final class Group {
        final List<PendingRequest> requests = new ArrayList<>(1);
        int samples;
        Instant oldest;
    }

    private final int maxSamples;
    private final Duration linger;
    /** Pending subjects in arrival order of their first request. */
    private final LinkedHashMap<String, Group> pending = new LinkedHashMap<>();
    private long pendingSamples;
    private int pendingRequests;
    /**
     * The oldest pending receipt time, kept as requests arrive: the listener asks for it after
     * every poll, and a scan of every pending subject there cost a quarter of the ingest thread.
     * Stale after a batch is taken; the next question rescans once.
     */
    private Instant oldestPendingAt;
    private boolean oldestStale;

    public ForgetBatcher(int maxSamples, Duration linger) {
        if (maxSamples < 1) {
            throw new IllegalArgumentException("maxSamples must be >= 1, was " + maxSamples);
        }
        Objects.requireNonNull(linger, "linger");
        if (linger.isNegative()) {
            throw new IllegalArgumentException("linger must be >= 0, was " + linger);
        }
        this.maxSamples = maxSamples;
        this.linger = linger;
    }

    /**
     * Adds a request whose subject currently has {@code sampleCount} samples in the index. Call it
     * once per request, after deduplication.
     */
    public void offer(PendingRequest request, int sampleCount) {
        Objects.requireNonNull(request, "request");
        if (sampleCount < 0) {
            throw new IllegalArgumentException("sampleCount must be >= 0, was " + sampleCount);
        }
        Group group = pending.computeIfAbsent(request.subjectId(), s -> new Group());
        group.requests.add(request);
        if (group.oldest == null || request.receivedAt().isBefore(group.oldest)) {
            group.oldest = request.receivedAt();
        }
        if (!oldestStale && (oldestPendingAt == null || request.receivedAt().isBefore(oldestPendingAt))) {
            oldestPendingAt = request.receivedAt();
        }
        if (sampleCount > group.samples) {
            pendingSamples += sampleCount - group.samples;
            group.samples = sampleCount;
        }
        pendingRequests++;
    }

    /**
     * Closes and removes the next batch if one is due at {@code now}: the pending samples reach
     * {@code maxSamples}, or the oldest pending request has waited at least {@code linger}. Call
     * again until empty; several batches may be due at once.
     */
    public Optional<Batch> poll(Instant now) {
        Objects.requireNonNull(now, "now");
        if (pending.isEmpty()) {
            return Optional.empty();
        }
        boolean full = pendingSamples >= maxSamples;
        boolean lingered = oldestPendingAge(now).compareTo(linger) >= 0;
        if (!full && !lingered) {
            return Optional.empty();
        }
        return Optional.of(take());
    }

    /** Takes subjects from the head while they fit in {@code maxSamples}; always at least one. */
    private Batch take() {
        List<PendingRequest> requests = new ArrayList<>();
        List<String> subjects = new ArrayList<>();
        long total = 0;
        Instant oldest = null;
        Iterator<Map.Entry<String, Group>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Group> entry = it.next();
            Group group = entry.getValue();
            if (!subjects.isEmpty() && total + group.samples > maxSamples) {
                break;
            }
            it.remove();
            subjects.add(entry.getKey());
            requests.addAll(group.requests);
            total += group.samples;
            if (oldest == null || group.oldest.isBefore(oldest)) {
                oldest = group.oldest;
            }
            pendingSamples -= group.samples;
            pendingRequests -= group.requests.size();
        }
        requests.sort((a, b) -> a.receivedAt().compareTo(b.receivedAt()));
        oldestStale = true;
        return new Batch(requests, subjects, total, oldest);
    }

    /** Pending requests (not subjects). */
    public int pendingCount() {
        return pendingRequests;
    }

    /** Distinct pending subjects. */
    public int pendingSubjects() {
        return pending.size();
    }

    /** Samples of the pending subjects, each subject counted once. */
    public long pendingSamples() {
        return pendingSamples;
    }

    /** How long the oldest pending request has waited at {@code now}; zero when none is pending. */
    public Duration oldestPendingAge(Instant now) {
        return oldestPending().map(t -> Duration.between(t, now)).filter(d -> !d.isNegative())
                .orElse(Duration.ZERO);
    }

    /** When the oldest pending request reaches the linger time; empty when none is pending. */
    public Optional<Instant> nextDeadline() {
        return oldestPending().map(t -> t.plus(linger));
    }

    private Optional<Instant> oldestPending() {
        if (oldestStale) {
            oldestPendingAt = null;
            for (Group group : pending.values()) {
                if (oldestPendingAt == null || group.oldest.isBefore(oldestPendingAt)) {
                    oldestPendingAt = group.oldest;
                }
            }
            oldestStale = false;
        }
        return pending.isEmpty() ? Optional.empty() : Optional.ofNullable(oldestPendingAt);
    }
}
