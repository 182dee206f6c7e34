package dev.lethe.daemon.requests;

import dev.lethe.core.erasure.BatchResult;
import dev.lethe.core.erasure.ErasureFlow;
import dev.lethe.core.erasure.ForgetBatcher;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.daemon.kafka.Records;
import dev.lethe.daemon.publish.Publisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The Kafka shell around {@link ErasureFlow}: one thread owns the requests consumer, so consumed
 * offsets and their effects always travel in the same transaction.
 *
 * <p>Per poll: the flow decides each record's fate; one transaction carries the dead letters, the
 * {@code received} events and the offsets that became safe. When the flow starts a batch, it runs
 * on the {@link BatchRunner}'s thread (unlearning takes seconds to minutes and must not hold a
 * transaction open or stall polling); when it finishes, one transaction publishes what the flow
 * made of its outcome, and only after the commit does {@link AfterCommit} make the version current.
 */
public final class RequestCoordinator {

    private static final Logger LOG = Logger.getLogger(RequestCoordinator.class);

    /** Runs a forget batch off the listener thread, once the ingest has reached {@code samplesEnd}. */
    @FunctionalInterface
    public interface BatchRunner {
        Future<BatchResult> submit(ForgetBatcher.Batch batch, Map<Integer, Long> samplesEnd);
    }

    /** The topic names the coordinator reads and writes. */
    public record Topics(String requests, String requestsDlq, String samples, String versions) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Topics topics;
    private final ErasureFlow flow;
    private final BatchRunner runner;
    private final TransactionalPublish publisher;
    private final AfterCommit after;
    private final Clock clock;
    private final BrokerProbe probe;
    private Future<BatchResult> inFlight;
    private RetrainListener retrains;
    private volatile boolean running = true;

    /**
     * Retrain events consumed alongside the requests, so that their offsets commit with their
     * effects (ADR 0015). While it is {@link #busy()}, no forget batch starts: requests wait.
     */
    public interface RetrainListener {
        String topic();

        /** One poll's records of {@link #topic()}. */
        void intake(List<ConsumerRecord<byte[], byte[]>> records, TransactionalPublish publish);

        /** Starts or finishes a rebase; {@code batchRunning}: a forget batch is in flight. */
        void step(boolean batchRunning, TransactionalPublish publish);

        boolean busy();
    }

    public RequestCoordinator(KafkaConsumer<byte[], byte[]> consumer, Topics topics, ErasureFlow flow,
            BatchRunner runner, Publisher publisher, AfterCommit after) {
        this.consumer = consumer;
        this.topics = topics;
        this.flow = flow;
        this.runner = runner;
        this.publisher = new TransactionalPublish(consumer, publisher, after.metrics(), () -> running);
        this.after = after;
        this.clock = after.clock();
        this.probe = new BrokerProbe(consumer, topics.requests(), after.metrics(), after.state(), clock);
    }

    /** Also consumes retrain events and runs their rebases between batches. */
    public RequestCoordinator rebaseWith(RetrainListener listener) {
        this.retrains = listener;
        return this;
    }

    /** Polls, batches and publishes until {@link #stop()}; exceptions other than a stop propagate. */
    public void run() {
        // One instance per model: a revocation happens at shutdown, and unfinished requests are
        // re-read by whoever owns the partitions next, since their offsets were never committed.
        consumer.subscribe(retrains == null ? List.of(topics.requests()) : List.of(topics.requests(), retrains.topic()));
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                probe.probeIfDue();
                intake(records);
                if (retrains != null) {
                    retrains.intake(list(records.records(retrains.topic())), publisher);
                    retrains.step(inFlight != null, publisher);
                }
                if (retrains == null || !retrains.busy()) {
                    flow.startBatch(clock.instant()).ifPresent(this::start);
                }
                finishBatchIfDone();
                after.pending(flow.pendingCount(), flow.oldestPending(clock.instant()));
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

    private static List<ConsumerRecord<byte[], byte[]>> list(Iterable<ConsumerRecord<byte[], byte[]>> records) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        records.forEach(out::add);
        return out;
    }

    private void intake(ConsumerRecords<byte[], byte[]> all) {
        List<ConsumerRecord<byte[], byte[]>> records = list(all.records(topics.requests()));
        if (records.isEmpty()) {
            return;
        }
        List<ConsumerRecord<byte[], byte[]>> polled = new ArrayList<>(records.size());
        List<ErasureFlow.Inbound> inbound = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            polled.add(r);
            inbound.add(new ErasureFlow.Inbound(r.key(), r.value(), Records.headers(r), r.partition(), r.offset()));
        }
        Instant now = clock.instant();
        ErasureFlow.Intake intake = flow.intake(inbound, now);
        Publisher.Transaction tx = new Publisher.Transaction();
        for (ErasureFlow.DeadLetter d : intake.deadLetters()) {
            tx.record(Records.deadLetter(topics.requestsDlq(), polled.get(d.index()), d.reason(), after.model()));
        }
        intake.events().forEach(tx::audit);
        List<AuditEvent> published = publisher.publish(tx, offsets(intake.offsets()));
        flow.acknowledged(intake);
        after.intake(intake, published, now);
    }

    private void start(ForgetBatcher.Batch batch) {
        LOG.infof("forget batch closed: %d request(s), %d subject(s), %d sample(s)", batch.requests().size(),
                batch.subjectIds().size(), batch.totalSamples());
        // Samples published before the batch closed must be indexed before it runs (the runner
        // waits for the ingest to reach these offsets).
        Map<Integer, Long> samplesEnd = new HashMap<>();
        List<TopicPartition> samplePartitions = consumer.partitionsFor(topics.samples()).stream()
                .map(p -> new TopicPartition(topics.samples(), p.partition())).toList();
        consumer.endOffsets(samplePartitions).forEach((tp, end) -> samplesEnd.put(tp.partition(), end));
        inFlight = runner.submit(batch, samplesEnd);
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
        ErasureFlow.Publication publication = flow.publication(result, after.currentVersion());
        Publisher.Transaction tx = new Publisher.Transaction();
        if (publication.version() != null) {
            tx.record(Publisher.versionRecord(topics.versions(), publication.version()));
        }
        for (String sampleId : publication.tombstones()) {
            tx.record(Records.tombstone(topics.samples(), sampleId, after.model()));
        }
        publication.events().forEach(tx::audit);
        List<AuditEvent> published;
        try {
            published = publisher.publish(tx, offsets(publication.offsets()));
        } catch (RuntimeException e) {
            after.notPublished(result);
            throw e;
        }
        Map<Integer, Long> tombstoneEnds = new HashMap<>();
        publisher.lastCommittedEnds().forEach((tp, end) -> {
            if (tp.topic().equals(topics.samples())) {
                tombstoneEnds.put(tp.partition(), end);
            }
        });
        after.batch(flow.committed(result, clock.instant()), published, tombstoneEnds);
    }

    private Map<TopicPartition, OffsetAndMetadata> offsets(Map<Integer, Long> safe) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        safe.forEach((partition, offset) ->
                out.put(new TopicPartition(topics.requests(), partition), new OffsetAndMetadata(offset)));
        return out;
    }

    public void stop() {
        running = false;
        consumer.wakeup();
    }
}
