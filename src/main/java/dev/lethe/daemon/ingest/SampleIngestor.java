package dev.lethe.daemon.ingest;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.erasure.ErasedSubjects;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.events.SampleRecordReader;
import dev.lethe.core.requests.StoredSample;
import dev.lethe.core.requests.SubjectIndex;
import dev.lethe.daemon.kafka.Records;
import dev.lethe.daemon.observe.LetheMetrics;
import dev.lethe.daemon.publish.Publisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Reads {@code lethe.samples} into the subject index and the sample pools.
 *
 * <p>Offsets live in the index, written in the same atomic group as the samples of each poll and
 * the sample pools' changes they caused ({@link SamplePools#stage}), so a restart seeks to where
 * the index is, replays nothing, and finds the pools as they were after that poll. Samples and
 * tombstones are applied in record order. The consumer has no group: it assigns every partition
 * itself. Per poll, the refusals and dead letters are published first and the
 * index written second, so a crash in between repeats a refusal rather than losing it.
 *
 * <p>A sample of an erased subject (or of one being erased right now) is refused: not indexed,
 * never in a pool, and a {@code rejected} audit event records it under the request id
 * {@code sample:<sampleId>}.
 */
public final class SampleIngestor implements Runnable {

    private static final Logger LOG = Logger.getLogger(SampleIngestor.class);
    public static final String REFUSED_REQUEST_PREFIX = "sample:";

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final String dlqTopic;
    private final SampleRecordReader reader;
    private final SubjectIndex index;
    private final SamplePools pools;
    private final ErasedSubjects erased;
    private final Pseudonymizer pseudonymizer;
    private final Publisher publisher;
    private final LetheMetrics metrics;
    private final String model;
    /** Next offset to read per partition, as far as the index has applied. */
    private final Map<Integer, Long> positions = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private volatile Throwable failure;

    public SampleIngestor(KafkaConsumer<byte[], byte[]> consumer, String topic, String dlqTopic,
            SampleRecordReader reader, SubjectIndex index, SamplePools pools, ErasedSubjects erased,
            Pseudonymizer pseudonymizer, Publisher publisher, LetheMetrics metrics, String model) {
        this.consumer = consumer;
        this.topic = topic;
        this.dlqTopic = dlqTopic;
        this.reader = reader;
        this.index = index;
        this.pools = pools;
        this.erased = erased;
        this.pseudonymizer = pseudonymizer;
        this.publisher = publisher;
        this.metrics = metrics;
        this.model = model;
    }

    /** Whether a tombstone was written by another model's daemon ({@link EventTypes#MODEL_HEADER}). */
    private boolean anotherModels(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(EventTypes.MODEL_HEADER);
        return header != null && header.value() != null
                && !model.equals(new String(header.value(), StandardCharsets.UTF_8));
    }

    @Override
    public void run() {
        try {
            assign();
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    caughtUp = true;
                } else {
                    handle(records);
                }
                // After the index write: positions promise that everything before them is applied.
                for (TopicPartition tp : consumer.assignment()) {
                    positions.put(tp.partition(), consumer.position(tp));
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("sample ingest stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void assign() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(partitions);
        for (TopicPartition tp : partitions) {
            index.committedOffset(tp.partition()).ifPresentOrElse(offset -> consumer.seek(tp, offset),
                    () -> consumer.seekToBeginning(List.of(tp)));
        }
    }

    private void handle(ConsumerRecords<byte[], byte[]> records) {
        // Samples (StoredSample) and tombstones (sample ids, String) in record order: a tombstone
        // followed by the same id again must leave the sample in, and the reverse must not.
        List<Object> changes = new ArrayList<>();
        Map<Integer, Long> nextOffsets = new HashMap<>();
        Publisher.Transaction refusals = new Publisher.Transaction();
        int deadLetters = 0;
        int refused = 0;
        int accepted = 0;
        int tombstones = 0;
        int foreignTombstones = 0;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            nextOffsets.merge(record.partition(), record.offset() + 1, Math::max);
            SampleRecordReader.Result result = reader.read(record.key(), record.value(), Records.headers(record));
            if (result instanceof SampleRecordReader.Accepted a) {
                SampleRecord s = a.sample();
                if (erased.isErased(s.subjectId())) {
                    refusals.audit(AuditEvent.rejected(REFUSED_REQUEST_PREFIX + s.sampleId(),
                            pseudonymizer.pseudonymize(s.subjectId()),
                            "sample refused: its subject was erased"));
                    refused++;
                } else {
                    changes.add(StoredSample.of(s));
                    accepted++;
                }
            } else if (result instanceof SampleRecordReader.Tombstone t) {
                if (anotherModels(record)) {
                    // That model unlearned the sample; this one has not yet, and needs it until it has.
                    foreignTombstones++;
                    continue;
                }
                changes.add(t.sampleId());
                tombstones++;
            } else if (result instanceof SampleRecordReader.Rejected r) {
                refusals.record(Records.deadLetter(dlqTopic, record, r.reason()));
                deadLetters++;
            }
        }
        publisher.publish(refusals);

        // One atomic group: the samples, the pools' changes they cause, and the offsets. The pools
        // change in memory while the group is staged; if the write fails, ingest stops (and a
        // restart restores the pools from the index).
        int[] indexed = {0};
        index.apply(w -> {
            for (Object change : changes) {
                if (change instanceof StoredSample s) {
                    if (w.put(s)) {
                        indexed[0]++;
                        pools.offer(s);
                    }
                } else {
                    String sampleId = (String) change;
                    w.removeSample(sampleId);
                    pools.removeSample(sampleId);
                }
            }
            nextOffsets.forEach(w::commitOffset);
            pools.stage(w);
        });

        int refusedByIndex = accepted - indexed[0];
        metrics.samples("indexed", indexed[0]);
        metrics.samples("tombstone", tombstones);
        metrics.samples("tombstone_other_model", foreignTombstones);
        metrics.samples("refused", refused + refusedByIndex);
        metrics.samples("dead_lettered", deadLetters);
        for (int i = 0; i < deadLetters; i++) {
            metrics.deadLetter("samples");
        }
    }

    /**
     * Waits until the index has applied the samples topic up to {@code endOffsets} (partition →
     * offset), so that a deletion request never runs before the samples published ahead of it
     * are indexed.
     *
     * @throws IllegalStateException if that takes longer than {@code timeout} or ingest has failed
     */
    public void awaitPositions(Map<Integer, Long> endOffsets, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean done = endOffsets.entrySet().stream()
                    .allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue());
            if (done) {
                return;
            }
            if (failure != null) {
                throw new IllegalStateException("sample ingest has stopped", failure);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("sample ingest did not reach the samples topic's end within " + timeout);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for sample ingest", e);
            }
        }
    }

    /** Whether the last poll found nothing new: the index has caught up with the topic. */
    public boolean caughtUp() {
        return caughtUp;
    }

    public Throwable failure() {
        return failure;
    }

    public void stop() {
        running = false;
        consumer.wakeup();
    }
}
