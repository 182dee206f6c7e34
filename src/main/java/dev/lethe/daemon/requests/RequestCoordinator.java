package dev.lethe.daemon.requests;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.DeletionRequest;
import dev.lethe.core.events.DeletionRequestReader;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.requests.ForgetBatcher;
import dev.lethe.core.requests.OffsetTracker;
import dev.lethe.core.requests.PendingRequest;
import dev.lethe.core.requests.RequestDeduplicator;
import dev.lethe.core.requests.SubjectIndex;
import dev.lethe.core.unlearn.VerifiedUnlearning;
import dev.lethe.daemon.ingest.ErasedSubjects;
import dev.lethe.daemon.ingest.SampleIngestor;
import dev.lethe.daemon.ingest.SamplePools;
import dev.lethe.daemon.kafka.Records;
import dev.lethe.daemon.observe.DaemonState;
import dev.lethe.daemon.observe.LetheMetrics;
import dev.lethe.daemon.pipeline.BatchResult;
import dev.lethe.daemon.pipeline.ErasurePipeline;
import dev.lethe.daemon.publish.Publisher;
import dev.lethe.daemon.registry.ModelRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The request listener and the publisher's only caller for batches: one thread owns the requests
 * consumer, so consumed offsets and their effects always travel in the same transaction.
 *
 * <p>Per poll: unreadable records go to the DLQ with a reason; readable ones are deduplicated by
 * request id, acknowledged with a {@code received} audit event and offered to the
 * {@link ForgetBatcher}. When the batcher closes a batch and no other batch is running, the batch
 * goes to the {@link ErasurePipeline} on its own thread (unlearning takes seconds to minutes and
 * must not hold a transaction open or stall polling). When it finishes, one transaction publishes
 * the new version, the terminal audit events, tombstones for every forgotten sample and the
 * consumed offsets; only after the commit does the version become current and the index forget
 * the subjects.
 *
 * <p>The committed offset of a partition never passes a request that is not finished, so a crash
 * re-reads exactly the unfinished requests (and, at worst, re-dead-letters a few bad records); the
 * completed request ids read back from the audit topic stop finished ones from running twice.
 */
public final class RequestCoordinator {

    private static final Logger LOG = Logger.getLogger(RequestCoordinator.class);
    private static final int PUBLISH_ATTEMPTS = 3;
    private static final Duration INGEST_CATCH_UP = Duration.ofMinutes(5);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String requestsTopic;
    private final String dlqTopic;
    private final String samplesTopic;
    private final String versionsTopic;
    private final DeletionRequestReader reader;
    private final RequestDeduplicator deduplicator;
    private final ForgetBatcher batcher;
    private final ErasurePipeline pipeline;
    private final SampleIngestor ingestor;
    private final ExecutorService pipelineThread;
    private final Publisher publisher;
    private final ModelRegistry registry;
    private final SubjectIndex index;
    private final SamplePools pools;
    private final ErasedSubjects erased;
    private final Pseudonymizer pseudonymizer;
    private final VerifiedUnlearning.Gate gate;
    private final DaemonState state;
    private final LetheMetrics metrics;
    private final Clock clock;

    private final OffsetTracker offsets = new OffsetTracker();
    private final BrokerProbe probe;
    private Future<BatchResult> inFlight;
    private ForgetBatcher.Batch inFlightBatch;
    private volatile boolean running = true;
    private volatile int pendingGauge;
    private volatile Instant oldestPending;

    public RequestCoordinator(KafkaConsumer<byte[], byte[]> consumer, Topics topics, DeletionRequestReader reader,
            RequestDeduplicator deduplicator, ForgetBatcher batcher, ErasurePipeline pipeline, SampleIngestor ingestor,
            ExecutorService pipelineThread, Publisher publisher, ModelRegistry registry, SubjectIndex index,
            SamplePools pools, ErasedSubjects erased, Pseudonymizer pseudonymizer, VerifiedUnlearning.Gate gate,
            DaemonState state, LetheMetrics metrics, Clock clock) {
        this.consumer = consumer;
        this.requestsTopic = topics.requests();
        this.dlqTopic = topics.requestsDlq();
        this.samplesTopic = topics.samples();
        this.versionsTopic = topics.versions();
        this.reader = reader;
        this.deduplicator = deduplicator;
        this.batcher = batcher;
        this.pipeline = pipeline;
        this.ingestor = ingestor;
        this.pipelineThread = pipelineThread;
        this.publisher = publisher;
        this.registry = registry;
        this.index = index;
        this.pools = pools;
        this.erased = erased;
        this.pseudonymizer = pseudonymizer;
        this.gate = gate;
        this.state = state;
        this.metrics = metrics;
        this.clock = clock;
        this.probe = new BrokerProbe(consumer, requestsTopic, metrics, state, clock);
        metrics.gauge(LetheMetrics.PENDING_REQUESTS, "Accepted requests not yet completed or escalated", null,
                () -> pendingGauge);
        metrics.gauge(LetheMetrics.OLDEST_PENDING_AGE, "Age of the oldest pending request", "seconds", () -> {
            Instant oldest = oldestPending;
            return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
        });
    }

    /** The topic names the coordinator writes to. */
    public record Topics(String requests, String requestsDlq, String samples, String versions) {
    }

    /** Polls, batches and publishes until {@link #stop()}; exceptions other than a stop propagate. */
    public void run() {
        consumer.subscribe(List.of(requestsTopic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // One instance per model: this happens at shutdown. Unfinished requests are re-read
                // by whoever owns the partitions next, since their offsets were never committed.
                LOG.debugf("request partitions revoked: %s", partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                LOG.debugf("request partitions assigned: %s", partitions);
            }
        });
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                probe.probeIfDue();
                intake(records);
                startBatchIfDue();
                finishBatchIfDone();
                updateGauges();
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            if (inFlight != null) {
                inFlight.cancel(true);
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void intake(ConsumerRecords<byte[], byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        Publisher.Transaction tx = new Publisher.Transaction();
        List<PendingRequest> accepted = new ArrayList<>();
        Instant now = clock.instant();
        int dead = 0;
        int duplicates = 0;
        int reacknowledged = 0;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            offsets.consumed(record.partition(), record.offset());
            DeletionRequestReader.Result result = reader.read(record.key(), record.value(), Records.headers(record));
            if (result instanceof DeletionRequestReader.Rejected r) {
                tx.record(Records.deadLetter(dlqTopic, record, r.reason()));
                dead++;
                continue;
            }
            DeletionRequest request = ((DeletionRequestReader.Accepted) result).request();
            if (!deduplicator.firstTime(request.requestId())) {
                duplicates++;
                continue;
            }
            // A request acknowledged before a crash and redelivered since keeps its first `received`
            // event and its first receipt time (the erasure deadline runs from there).
            Optional<Instant> acknowledgedAt = acknowledgedAt(request.requestId());
            if (acknowledgedAt.isEmpty()) {
                tx.audit(AuditEvent.received(request.requestId(), pseudonymizer.pseudonymize(request.subjectId())));
            } else {
                reacknowledged++;
            }
            PendingRequest pending = new PendingRequest(request.requestId(), request.subjectId(),
                    acknowledgedAt.orElse(now), record.partition(), record.offset());
            accepted.add(pending);
            offsets.opened(record.partition(), record.offset());
        }
        tx.offsets(safeOffsets(), consumer.groupMetadata());
        List<AuditEvent> published = publishWithRetry(tx);
        published.forEach(e -> state.apply(e, now));
        for (PendingRequest p : accepted) {
            batcher.offer(p, index.sampleCount(p.subjectId()));
        }
        metrics.requests("received", accepted.size() - reacknowledged);
        if (reacknowledged > 0) {
            LOG.infof("%d request(s) acknowledged before a restart taken up again", reacknowledged);
        }
        metrics.requests("duplicate", duplicates);
        metrics.requests("dead_lettered", dead);
        for (int i = 0; i < dead; i++) {
            metrics.deadLetter("requests");
        }
        if (dead > 0) {
            LOG.infof("%d unreadable deletion request(s) sent to %s", dead, dlqTopic);
        }
    }

    /** When the audit trail already holds this request's `received` event and nothing after it. */
    private Optional<Instant> acknowledgedAt(String requestId) {
        return state.request(requestId).filter(r -> "received".equals(r.status())).map(DaemonState.RequestStatus::updatedAt);
    }

    private void startBatchIfDue() {
        if (inFlight != null) {
            return;
        }
        batcher.poll(clock.instant()).ifPresent(batch -> {
            LOG.infof("forget batch closed: %d request(s), %d subject(s), %d sample(s)", batch.requests().size(),
                    batch.subjectIds().size(), batch.totalSamples());
            inFlightBatch = batch;
            // Samples published before the batch closed must be indexed before it runs. Only then
            // are its subjects marked as being erased: marked earlier, the ingest would refuse
            // those samples instead of indexing them, and they would never be forgotten.
            Map<Integer, Long> samplesEnd = new HashMap<>();
            List<TopicPartition> samplePartitions = consumer.partitionsFor(samplesTopic).stream()
                    .map(p -> new TopicPartition(samplesTopic, p.partition())).toList();
            consumer.endOffsets(samplePartitions).forEach((tp, end) -> samplesEnd.put(tp.partition(), end));
            inFlight = pipelineThread.submit(() -> {
                ingestor.awaitPositions(samplesEnd, INGEST_CATCH_UP);
                pipeline.begin(batch);
                return pipeline.run(batch);
            });
        });
    }

    private void finishBatchIfDone() {
        if (inFlight == null || !inFlight.isDone()) {
            return;
        }
        BatchResult result;
        try {
            result = inFlight.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the erasure pipeline failed unexpectedly", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        inFlight = null;
        inFlightBatch = null;
        publishBatch(result);
    }

    private void publishBatch(BatchResult result) {
        ForgetBatcher.Batch batch = result.batch();
        Instant now = clock.instant();
        for (PendingRequest r : batch.requests()) {
            offsets.finished(r.partition(), r.offset());
        }
        Publisher.Transaction tx = new Publisher.Transaction();
        Long version = null;
        AuditEvent.Mia mia;
        switch (result.kind()) {
            case PASSED -> {
                version = result.staged().version();
                mia = result.mia();
                tx.record(Publisher.versionRecord(versionsTopic, result.staged()));
                for (List<String> ids : result.sampleIds().values()) {
                    for (String sampleId : ids) {
                        tx.record(new ProducerRecord<>(samplesTopic, null, Records.utf8(sampleId), null));
                    }
                }
            }
            case EMPTY -> {
                version = registry.currentVersion().map(v -> v.version()).orElse(null);
                mia = new AuditEvent.Mia(Double.NaN, Double.NaN, gate.miaThreshold(), true);
            }
            default -> mia = result.outcome() == null ? null : result.mia();
        }
        for (PendingRequest r : batch.requests()) {
            String ref = pseudonymizer.pseudonymize(r.subjectId());
            int samples = result.samplesOf(r.subjectId());
            if (result.kind() == BatchResult.Kind.FAILED && samples == 0) {
                // Nothing of this subject was ever learned: its erasure is complete whatever the batch's fate.
                long current = registry.currentVersion().map(v -> v.version()).orElse(1L);
                tx.audit(AuditEvent.completed(r.requestId(), ref, 0, current,
                        new AuditEvent.Mia(Double.NaN, Double.NaN, gate.miaThreshold(), true)));
            } else if (result.kind() == BatchResult.Kind.FAILED) {
                tx.audit(AuditEvent.escalated(r.requestId(), ref, samples, mia, result.reason()));
                tx.audit(AuditEvent.retrainRequired(r.requestId(), ref, samples,
                        "approximate unlearning could not be verified; retrain without this subject"));
            } else {
                tx.audit(AuditEvent.completed(r.requestId(), ref, samples, version == null ? 1 : version, mia));
            }
        }
        tx.offsets(safeOffsets(), consumer.groupMetadata());
        List<AuditEvent> published;
        try {
            published = publishWithRetry(tx);
        } catch (RuntimeException e) {
            if (result.staged() != null) {
                result.outcome().unlearned().close();
                registry.discard(result.staged());
            }
            throw e;
        }
        afterCommit(result, published, now);
    }

    /** Local effects of a committed batch: current version, index, pools, dedupe, state, metrics. */
    private void afterCommit(BatchResult result, List<AuditEvent> published, Instant started) {
        ForgetBatcher.Batch batch = result.batch();
        if (result.kind() == BatchResult.Kind.PASSED) {
            registry.commit(result.staged(), result.outcome().unlearned());
            metrics.modelVersion(result.staged().version());
            metrics.versionPublished();
            metrics.mia(result.outcome().miaAucBefore(), result.outcome().miaAuc());
            LOG.infof("published %s v%d: %d sample(s) forgotten in %d step(s) (%s), MIA AUC %.3f → %.3f, "
                    + "holdout accuracy %.3f → %.3f, took %d ms", registry.model(), result.staged().version(),
                    result.totalSamples(), result.outcome().result().steps(), result.outcome().result().stopReason(),
                    result.outcome().miaAucBefore(), result.outcome().miaAuc(), result.outcome().holdoutAccBefore(),
                    result.outcome().holdoutAcc(), result.took().toMillis());
        }
        if (result.kind() != BatchResult.Kind.FAILED) {
            index.apply(w -> {
                for (String subject : batch.subjectIds()) {
                    w.removeSubject(subject);
                    w.markErased(subject);
                }
            });
            for (String subject : batch.subjectIds()) {
                pools.removeSubject(subject);
                erased.erasedRef(pseudonymizer.pseudonymize(subject));
            }
            pools.topUpIfDrained();
        } else {
            LOG.warnf("forget batch of %d request(s) escalated: %s", batch.requests().size(), result.reason());
            List<String> nothingLearned = batch.subjectIds().stream().filter(s -> result.samplesOf(s) == 0).toList();
            index.apply(w -> nothingLearned.forEach(w::markErased));
            nothingLearned.forEach(s -> erased.erasedRef(pseudonymizer.pseudonymize(s)));
        }
        batch.subjectIds().forEach(erased::doneErasing);
        Instant now = clock.instant();
        for (AuditEvent e : published) {
            state.apply(e, now);
        }
        for (PendingRequest r : batch.requests()) {
            deduplicator.markCompleted(r.requestId());
            metrics.requestLatency(Duration.between(r.receivedAt(), now));
        }
        long escalated = published.stream().filter(e -> e.type().equals(EventTypes.DELETION_ESCALATED)).count();
        metrics.requests("escalated", escalated);
        metrics.requests("completed", batch.requests().size() - escalated);
        metrics.batch(result.totalSamples(), batch.requests().size(),
                result.outcome() == null ? null : result.took(), result.kind() != BatchResult.Kind.FAILED);
    }

    /** What may be committed now (see {@link OffsetTracker}), as the consumer's offsets. */
    private Map<TopicPartition, OffsetAndMetadata> safeOffsets() {
        Map<TopicPartition, OffsetAndMetadata> safe = new HashMap<>();
        offsets.advance().forEach((partition, offset) ->
                safe.put(new TopicPartition(requestsTopic, partition), new OffsetAndMetadata(offset)));
        return safe;
    }

    private List<AuditEvent> publishWithRetry(Publisher.Transaction tx) {
        for (int attempt = 1; ; attempt++) {
            try {
                return publisher.publish(tx);
            } catch (Publisher.FatalPublishException e) {
                throw e;
            } catch (KafkaException e) {
                metrics.publishAborted();
                if (attempt >= PUBLISH_ATTEMPTS) {
                    throw e;
                }
                LOG.warnf("publish attempt %d failed, retrying: %s", attempt, e.getMessage());
            }
        }
    }

    private void updateGauges() {
        int pending = batcher.pendingCount() + (inFlightBatch == null ? 0 : inFlightBatch.requests().size());
        pendingGauge = pending;
        Instant oldest = inFlightBatch == null ? null : inFlightBatch.oldestReceivedAt();
        Instant now = clock.instant();
        Duration waiting = batcher.oldestPendingAge(now);
        if (batcher.pendingCount() > 0) {
            Instant batcherOldest = now.minus(waiting);
            oldest = oldest == null || batcherOldest.isBefore(oldest) ? batcherOldest : oldest;
        }
        oldestPending = oldest;
    }

    public void stop() {
        running = false;
        consumer.wakeup();
    }
}
