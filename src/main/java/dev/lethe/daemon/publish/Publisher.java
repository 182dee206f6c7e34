package dev.lethe.daemon.publish;

import dev.lethe.core.events.AuditChain;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.daemon.kafka.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

/**
 * The only writer of Lethe's output topics. Everything it publishes goes out in one Kafka
 * transaction per call — records, chained audit events and consumed offsets together — so a
 * consumer reading {@code read_committed} sees all of a batch's effects or none.
 *
 * <p>The audit hash chain advances only inside a transaction: if the commit fails the chain is
 * rewound to its last published hash, so an aborted event never becomes anyone's {@code prevHash}.
 * A fenced producer (another instance took over the transactional id) is fatal.
 *
 * <p>One transaction at a time; callers on several threads are serialised.
 */
public final class Publisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Publisher.class);

    /** Raised when this instance may no longer publish: fenced, or unauthorised. */
    public static final class FatalPublishException extends RuntimeException {
        public FatalPublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What one transaction carries. */
    public static final class Transaction {
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        final List<AuditEvent> audits = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.of();
        ConsumerGroupMetadata group;

        public Transaction record(ProducerRecord<byte[], byte[]> record) {
            records.add(record);
            return this;
        }

        /** An audit event; its {@code prevHash}/{@code hash} are set when the transaction is published. */
        public Transaction audit(AuditEvent event) {
            audits.add(event);
            return this;
        }

        public Transaction offsets(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
            this.offsets = Map.copyOf(offsets);
            this.group = group;
            return this;
        }

        public boolean isEmpty() {
            return records.isEmpty() && audits.isEmpty() && offsets.isEmpty();
        }

        public int size() {
            return records.size() + audits.size();
        }
    }

    /** Kafka's default {@code max.request.size}. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1_048_576;

    private final Supplier<Producer<byte[], byte[]>> producers;
    private final String auditTopic;
    private final Clock clock;
    private final int maxRecordBytes;
    private Producer<byte[], byte[]> producer;
    private Map<TopicPartition, Long> lastEnds = Map.of();
    private AuditChain chain = AuditChain.genesis();
    private boolean initialised;

    /** A publisher that cannot replace its producer: an error that leaves it unusable is fatal. */
    public Publisher(Producer<byte[], byte[]> producer, String auditTopic, Clock clock) {
        this(null, producer, auditTopic, clock, DEFAULT_MAX_RECORD_BYTES);
    }

    /**
     * A publisher that replaces its producer, from {@code producers} (same transactional id), when
     * an error leaves it unusable; dead letters larger than {@code maxRecordBytes} (the
     * producer's {@code max.request.size}) are sent in their bounded form.
     */
    public Publisher(Supplier<Producer<byte[], byte[]>> producers, String auditTopic, Clock clock, int maxRecordBytes) {
        this(producers, producers.get(), auditTopic, clock, maxRecordBytes);
    }

    private Publisher(Supplier<Producer<byte[], byte[]>> producers, Producer<byte[], byte[]> first, String auditTopic,
            Clock clock, int maxRecordBytes) {
        this.producers = producers;
        this.producer = first;
        this.auditTopic = auditTopic;
        this.clock = clock;
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * Registers the transactional id, fencing any older instance and aborting its open
     * transaction. Call before reading the topics back at start-up: until then an open transaction
     * of a crashed instance holds back every {@code read_committed} reader.
     */
    public synchronized void initTransactions() {
        producer.initTransactions();
        initialised = true;
    }

    /** Continues the audit chain after the last published event (read back at start-up). */
    public synchronized void resumeChain(String lastHash) {
        resumeChain(chain.model(), lastHash);
    }

    /**
     * Continues {@code model}'s audit chain after its last published event ({@code null}: none yet).
     * Several models may share the audit topic, each with its own chain.
     */
    public synchronized void resumeChain(String model, String lastHash) {
        chain = chainOf(model, lastHash == null ? AuditChain.GENESIS_HASH : lastHash);
    }

    /**
     * Per partition written, the offset after the last record of the last committed transaction
     * (audit events excluded): where a batch's tombstones ended, for the rebase's quarantine.
     */
    public synchronized Map<TopicPartition, Long> lastCommittedEnds() {
        return lastEnds;
    }

    private static Map<TopicPartition, Long> ends(List<Future<RecordMetadata>> sent) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (Future<RecordMetadata> f : sent) {
            if (!f.isDone()) {
                continue; // a real producer's commit flushed every send; a test double's may lag
            }
            try {
                RecordMetadata m = f.get();
                if (m.hasOffset()) {
                    ends.merge(new TopicPartition(m.topic(), m.partition()), m.offset() + 1, Math::max);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                // committed, so not expected; without its offset the partition is just not reported
            }
        }
        return Map.copyOf(ends);
    }

    public synchronized String chainHead() {
        return chain.lastHash();
    }

    /**
     * Publishes everything in one transaction.
     *
     * @return the audit events as published, with their hashes
     * @throws FatalPublishException if this instance was fenced or is not authorised
     * @throws KafkaException        for a failure after which the transaction was aborted and the
     *                               caller may retry
     */
    public synchronized List<AuditEvent> publish(Transaction tx) {
        if (!initialised) {
            throw new IllegalStateException("initTransactions() first");
        }
        if (tx.isEmpty()) {
            return List.of();
        }
        String headBefore = chain.lastHash();
        List<AuditEvent> published = new ArrayList<>(tx.audits.size());
        try {
            producer.beginTransaction();
            List<Future<RecordMetadata>> sent = new ArrayList<>(tx.records.size());
            for (ProducerRecord<byte[], byte[]> record : tx.records) {
                // A copy the producer may not send would put the transaction into an error state
                // and stop every erasure behind it: it goes out without its payload.
                sent.add(producer.send(DeadLetters.estimatedSize(record) > maxRecordBytes && DeadLetters.isDeadLetter(record)
                        ? DeadLetters.bounded(record, "larger than the producer's max.request.size "
                                + maxRecordBytes) : record));
            }
            for (AuditEvent event : tx.audits) {
                AuditEvent chained = chain.append(event);
                published.add(chained);
                producer.send(auditRecord(chained));
            }
            if (!tx.offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(tx.offsets, tx.group);
            }
            producer.commitTransaction();
            lastEnds = ends(sent);
            return published;
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            chain = rewind(headBefore);
            throw new FatalPublishException("this instance can no longer publish: " + e.getMessage(), e);
        } catch (KafkaException e) {
            chain = rewind(headBefore);
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailure) {
                e.addSuppressed(abortFailure);
                // Fenced by a newer instance: a new producer would fence it back. Stop instead.
                if (producers == null || fenced(abortFailure) || fenced(e)) {
                    throw new FatalPublishException("cannot abort a failed transaction: " + abortFailure.getMessage(), e);
                }
                replaceProducer();
                throw e;
            }
            LOG.warnf("publish transaction aborted (%d records, %d audit events): %s", tx.records.size(),
                    tx.audits.size(), e.getMessage());
            throw e;
        }
    }

    /**
     * The producer is in an error state that no abort clears: close it and start a new one with
     * the same transactional id, whose {@code initTransactions()} fences the old epoch and aborts
     * its open transaction (what Jepsen's analysis of Kafka transactions advises after indefinite
     * errors). The caller retries on the new one.
     */
    private void replaceProducer() {
        LOG.warn("the producer is in an error state: replacing it (same transactional id)");
        try {
            producer.close(java.time.Duration.ZERO);
        } catch (RuntimeException closeFailure) {
            LOG.debugf("closing the failed producer: %s", closeFailure.getMessage());
        }
        producer = producers.get();
        producer.initTransactions();
    }

    private static boolean fenced(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ProducerFencedException || c instanceof InvalidProducerEpochException
                    || c instanceof AuthorizationException) {
                return true;
            }
        }
        return false;
    }

    private AuditChain rewind(String head) {
        return chainOf(chain.model(), head);
    }

    private static AuditChain chainOf(String model, String head) {
        if (model == null) {
            return head.equals(AuditChain.GENESIS_HASH) ? AuditChain.genesis() : AuditChain.resumeFrom(head);
        }
        return head.equals(AuditChain.GENESIS_HASH) ? AuditChain.genesis(model) : AuditChain.resumeFrom(model, head);
    }

    private ProducerRecord<byte[], byte[]> auditRecord(AuditEvent event) {
        byte[] value = CloudEventJson.write(CloudEventJson.audit(clock.instant(), event));
        return structured(auditTopic, event.requestId(), value);
    }

    /** A structured-mode CloudEvent record. */
    public static ProducerRecord<byte[], byte[]> structured(String topic, String key, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventTypes.CONTENT_TYPE_HEADER, EventTypes.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, key.getBytes(StandardCharsets.UTF_8), value, headers);
    }

    /** The model-version event as a record on {@code topic}, keyed by model name. */
    public static ProducerRecord<byte[], byte[]> versionRecord(String topic, ModelVersionEvent version) {
        return structured(topic, version.model(), CloudEventJson.write(CloudEventJson.modelVersionPublished(version)));
    }

    @Override
    public synchronized void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
