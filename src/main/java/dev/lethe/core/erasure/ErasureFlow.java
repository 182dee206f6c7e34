package dev.lethe.core.erasure;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.DeletionRequest;
import dev.lethe.core.events.DeletionRequestReader;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.requests.SubjectIndex;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A deletion request's life, without I/O: what to do with each record read from the requests
 * topic (dead-letter, drop as duplicate, acknowledge), when a forget batch starts (one at a time),
 * what a batch's outcome publishes (audit events, tombstones, the version, the offsets that became
 * safe) and what changes once that is committed. The Kafka shell ({@code RequestCoordinator})
 * carries the values this class returns to the topics and to the daemon's other parts; the
 * perf harness drives this same class.
 *
 * <p>Rules kept here: a request id is processed once ({@link RequestDeduplicator}, seeded from
 * the audit topic); a request acknowledged before a restart keeps its first {@code received}
 * event and receipt time; the committed offset never passes an unfinished request
 * ({@link OffsetTracker}); a subject with nothing learned is erased whatever its batch's fate.
 *
 * <p>Not thread-safe: confine an instance to the request listener's thread.
 */
public final class ErasureFlow {

    /** One record of the requests topic, as the shell read it. */
    public record Inbound(byte[] key, byte[] value, Map<String, byte[]> headers, int partition, long offset) {
    }

    /** An unreadable record: {@code index} into the polled records, and why. */
    public record DeadLetter(int index, String reason) {
    }

    /**
     * What one poll's records come to; published in one transaction, then {@link #acknowledged}.
     *
     * @param offsets per partition, the next offset that is safe to commit (moved forward only)
     */
    public record Intake(List<DeadLetter> deadLetters, List<AuditEvent> events, List<PendingRequest> accepted,
            int duplicates, int reacknowledged, Map<Integer, Long> offsets) {

        /** Requests seen for the first time (not taken up again after a restart). */
        public int received() {
            return accepted.size() - reacknowledged;
        }
    }

    /**
     * What a finished batch publishes, in one transaction.
     *
     * @param version    the new version (PASSED only), else null
     * @param tombstones the forgotten sample ids (PASSED only)
     */
    public record Publication(ModelVersionEvent version, List<String> tombstones, List<AuditEvent> events,
            Map<Integer, Long> offsets) {
    }

    /**
     * What the daemon's other parts do once a batch's publication is committed.
     *
     * @param makeCurrent     the staged version and its network become current (PASSED)
     * @param leavePools      subjects whose samples leave the retain and holdout pools, which
     *                        are then topped up if drained (empty when the batch failed)
     * @param requestLatency  per request, receipt to commit
     */
    public record Effects(BatchResult result, boolean makeCurrent, List<String> leavePools,
            List<Duration> requestLatency, int completed, int escalated) {
    }

    private final DeletionRequestReader reader;
    private final RequestDeduplicator deduplicator;
    private final ForgetBatcher batcher;
    private final SubjectIndex index;
    private final ErasedSubjects erased;
    private final Pseudonymizer pseudonymizer;
    private final double miaThreshold;
    private final OffsetTracker offsets = new OffsetTracker();
    /** Requests whose `received` event was published before a restart and nothing after it. */
    private final Map<String, Instant> acknowledgedBefore = new HashMap<>();
    private ForgetBatcher.Batch inFlight;

    public ErasureFlow(DeletionRequestReader reader, RequestDeduplicator deduplicator, ForgetBatcher batcher,
            SubjectIndex index, ErasedSubjects erased, Pseudonymizer pseudonymizer, double miaThreshold) {
        this.reader = reader;
        this.deduplicator = deduplicator;
        this.batcher = batcher;
        this.index = index;
        this.erased = erased;
        this.pseudonymizer = pseudonymizer;
        this.miaThreshold = miaThreshold;
    }

    // ---- recovery ------------------------------------------------------------------------

    /** One audit event read back at start-up, in topic order, published at {@code at}. */
    public void recovered(AuditEvent event, Instant at) {
        String type = event.type();
        if (EventTypes.DELETION_RECEIVED.equals(type)) {
            if (!deduplicator.contains(event.requestId())) {
                acknowledgedBefore.putIfAbsent(event.requestId(), at);
            }
        } else if (isTerminal(type)) {
            acknowledgedBefore.remove(event.requestId());
            deduplicator.markCompleted(event.requestId());
        }
        if (EventTypes.DELETION_COMPLETED.equals(type)) {
            erased.erasedRef(event.subjectRef());
        }
    }

    /** Whether an audit type ends a request: it will not be processed again. */
    public static boolean isTerminal(String type) {
        return EventTypes.DELETION_COMPLETED.equals(type) || EventTypes.DELETION_ESCALATED.equals(type)
                || EventTypes.DELETION_REJECTED.equals(type);
    }

    // ---- intake --------------------------------------------------------------------------

    /** Decides the fate of one poll's records; nothing changes until {@link #acknowledged}. */
    public Intake intake(List<Inbound> records, Instant now) {
        List<DeadLetter> dead = new ArrayList<>();
        List<AuditEvent> events = new ArrayList<>();
        List<PendingRequest> accepted = new ArrayList<>();
        int duplicates = 0;
        int reacknowledged = 0;
        for (int i = 0; i < records.size(); i++) {
            Inbound record = records.get(i);
            offsets.consumed(record.partition(), record.offset());
            DeletionRequestReader.Result result = reader.read(record.key(), record.value(), record.headers());
            if (result instanceof DeletionRequestReader.Rejected r) {
                dead.add(new DeadLetter(i, r.reason()));
                continue;
            }
            DeletionRequest request = ((DeletionRequestReader.Accepted) result).request();
            if (!deduplicator.firstTime(request.requestId())) {
                duplicates++;
                continue;
            }
            // Acknowledged before a crash and redelivered since: keeps its first `received` event
            // and its first receipt time (the erasure deadline runs from there).
            Instant acknowledgedAt = acknowledgedBefore.remove(request.requestId());
            if (acknowledgedAt == null) {
                events.add(AuditEvent.received(request.requestId(), pseudonymizer.pseudonymize(request.subjectId())));
            } else {
                reacknowledged++;
            }
            accepted.add(new PendingRequest(request.requestId(), request.subjectId(),
                    acknowledgedAt == null ? now : acknowledgedAt, record.partition(), record.offset()));
            offsets.opened(record.partition(), record.offset());
        }
        return new Intake(List.copyOf(dead), List.copyOf(events), List.copyOf(accepted), duplicates, reacknowledged,
                offsets.advance());
    }

    /** The intake's transaction is committed: its requests wait for a batch. */
    public void acknowledged(Intake intake) {
        for (PendingRequest p : intake.accepted()) {
            batcher.offer(p, index.sampleCount(p.subjectId()));
        }
    }

    // ---- batches -------------------------------------------------------------------------

    /** The next batch to unlearn, if one is due and none is running (one at a time). */
    public Optional<ForgetBatcher.Batch> startBatch(Instant now) {
        if (inFlight != null) {
            return Optional.empty();
        }
        Optional<ForgetBatcher.Batch> batch = batcher.poll(now);
        batch.ifPresent(b -> inFlight = b);
        return batch;
    }

    /**
     * What the finished batch publishes. {@code currentVersion} is the version now current (the
     * one an EMPTY batch's or a nothing-learned request's completion names).
     */
    public Publication publication(BatchResult result, Optional<Long> currentVersion) {
        ForgetBatcher.Batch batch = result.batch();
        for (PendingRequest r : batch.requests()) {
            offsets.finished(r.partition(), r.offset());
        }
        ModelVersionEvent version = null;
        List<String> tombstones = List.of();
        Long completedVersion;
        AuditEvent.Mia mia;
        switch (result.kind()) {
            case PASSED -> {
                version = result.staged();
                completedVersion = version.version();
                mia = result.mia();
                tombstones = result.sampleIds().values().stream().flatMap(List::stream).toList();
            }
            case EMPTY -> {
                completedVersion = currentVersion.orElse(null);
                mia = new AuditEvent.Mia(Double.NaN, Double.NaN, miaThreshold, true);
            }
            default -> {
                completedVersion = null;
                mia = result.outcome() == null ? null : result.mia();
            }
        }
        List<AuditEvent> events = new ArrayList<>();
        for (PendingRequest r : batch.requests()) {
            String ref = pseudonymizer.pseudonymize(r.subjectId());
            int samples = result.samplesOf(r.subjectId());
            if (result.kind() == BatchResult.Kind.FAILED && samples == 0) {
                // Nothing of this subject was ever learned: its erasure is complete whatever the batch's fate.
                events.add(AuditEvent.completed(r.requestId(), ref, 0, currentVersion.orElse(1L),
                        new AuditEvent.Mia(Double.NaN, Double.NaN, miaThreshold, true)));
            } else if (result.kind() == BatchResult.Kind.FAILED) {
                events.add(AuditEvent.escalated(r.requestId(), ref, samples, mia, result.reason()));
                events.add(AuditEvent.retrainRequired(r.requestId(), ref, samples,
                        "approximate unlearning could not be verified; retrain without this subject"));
            } else {
                events.add(AuditEvent.completed(r.requestId(), ref, samples,
                        completedVersion == null ? 1 : completedVersion, mia,
                        result.staged() == null ? null : result.staged().unlearning()));
            }
        }
        return new Publication(version, tombstones, List.copyOf(events), offsets.advance());
    }

    /** The batch's publication is committed: its subjects are erased, its requests done. */
    public Effects committed(BatchResult result, Instant now) {
        ForgetBatcher.Batch batch = result.batch();
        boolean failed = result.kind() == BatchResult.Kind.FAILED;
        List<String> erasedNow = failed
                ? batch.subjectIds().stream().filter(s -> result.samplesOf(s) == 0).toList()
                : batch.subjectIds();
        erased.erased(erasedNow);
        batch.subjectIds().forEach(erased::doneErasing);
        List<Duration> latency = new ArrayList<>();
        int escalated = 0;
        for (PendingRequest r : batch.requests()) {
            deduplicator.markCompleted(r.requestId());
            latency.add(Duration.between(r.receivedAt(), now));
            if (failed && result.samplesOf(r.subjectId()) > 0) {
                escalated++;
            }
        }
        inFlight = null;
        return new Effects(result, result.kind() == BatchResult.Kind.PASSED, failed ? List.of() : batch.subjectIds(),
                List.copyOf(latency), batch.requests().size() - escalated, escalated);
    }

    // ---- what the gauges read ------------------------------------------------------------

    /** Accepted requests not yet completed or escalated. */
    public int pendingCount() {
        return batcher.pendingCount() + (inFlight == null ? 0 : inFlight.requests().size());
    }

    /** When the oldest pending request was received; empty when none is pending. */
    public Optional<Instant> oldestPending(Instant now) {
        Instant oldest = inFlight == null ? null : inFlight.oldestReceivedAt();
        if (batcher.pendingCount() > 0) {
            Instant waiting = now.minus(batcher.oldestPendingAge(now));
            oldest = oldest == null || waiting.isBefore(oldest) ? waiting : oldest;
        }
        return Optional.ofNullable(oldest);
    }

    /** Requests waiting in the batcher (not the running batch). */
    public int waitingCount() {
        return batcher.pendingCount();
    }

    public int completedKnown() {
        return deduplicator.completedCount();
    }
}
