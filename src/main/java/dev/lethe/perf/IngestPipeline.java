package dev.lethe.perf;

import dev.lethe.core.events.DeletionRequest;
import dev.lethe.core.events.DeletionRequestReader;
import dev.lethe.core.erasure.ForgetBatcher;
import dev.lethe.core.erasure.PendingRequest;
import dev.lethe.core.erasure.RequestDeduplicator;
import dev.lethe.core.requests.SubjectIndex;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The request listener's work per deletion-request record, without Kafka: parse
 * ({@link DeletionRequestReader}), deduplicate ({@link RequestDeduplicator}), look the subject up
 * in the index, and batch ({@link ForgetBatcher}); closed batches are drained after every poll.
 * What is measured is this path; the daemon's listener adds only the consumer around it.
 */
public final class IngestPipeline {

    /** How the index is asked for a subject's size. */
    public enum Lookup {
        /** {@link SubjectIndex#sampleCount}: membership keys only. */
        COUNT,
        /** {@link SubjectIndex#samplesOf}: reads every sample with its features (what a forget set needs later). */
        SAMPLES
    }

    private final DeletionRequestReader reader = new DeletionRequestReader();
    private final RequestDeduplicator deduplicator = new RequestDeduplicator(1_000_000);
    private final ForgetBatcher batcher;
    private final SubjectIndex index;
    private final Lookup lookup;
    private long accepted;
    private long rejected;
    private long duplicates;
    private long batches;
    private long batchedRequests;

    public IngestPipeline(SubjectIndex index, Lookup lookup, int maxBatchSamples, Duration linger) {
        this.index = index;
        this.lookup = lookup;
        this.batcher = new ForgetBatcher(maxBatchSamples, linger);
    }

    /** One record of the deletion-requests topic. */
    public void accept(byte[] key, byte[] value, Map<String, byte[]> headers, int partition, long offset, Instant now) {
        DeletionRequestReader.Result result = reader.read(key, value, headers);
        if (!(result instanceof DeletionRequestReader.Accepted a)) {
            rejected++;
            return;
        }
        DeletionRequest request = a.request();
        if (!deduplicator.firstTime(request.requestId())) {
            duplicates++;
            return;
        }
        accepted++;
        int samples = lookup == Lookup.COUNT ? index.sampleCount(request.subjectId())
                : index.samplesOf(request.subjectId()).size();
        batcher.offer(new PendingRequest(request.requestId(), request.subjectId(), now, partition, offset), samples);
    }

    /** After each poll: hands out every batch that is due. */
    public void endOfPoll(Instant now) {
        for (Optional<ForgetBatcher.Batch> b = batcher.poll(now); b.isPresent(); b = batcher.poll(now)) {
            batches++;
            batchedRequests += b.get().requests().size();
            b.get().requests().forEach(r -> deduplicator.markCompleted(r.requestId()));
        }
    }

    public long accepted() {
        return accepted;
    }

    public long rejected() {
        return rejected;
    }

    public long duplicates() {
        return duplicates;
    }

    public long batches() {
        return batches;
    }

    public long batchedRequests() {
        return batchedRequests;
    }

    /** Requests still pending in the batcher. */
    public int pending() {
        return batcher.pendingCount();
    }
}
