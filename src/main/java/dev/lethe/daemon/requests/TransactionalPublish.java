package dev.lethe.daemon.requests;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.daemon.observe.LetheMetrics;
import dev.lethe.daemon.publish.Publisher;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.jboss.logging.Logger;

/**
 * Publishes a transaction that commits the request consumer's offsets, retrying a failed one.
 *
 * <p>A rebalance during a batch (the consumer's heartbeats lost for a session timeout, say) makes
 * the offsets' group generation stale, and every retry with it fails the same way: the consumer
 * learns its new generation only in {@code poll()}. So after such a failure the consumer polls with
 * its partitions paused until it has rejoined, puts back any record that poll returned (seeks to
 * it), and the transaction is retried with the new generation, as long as the consumer still owns
 * every partition whose offset it commits. Otherwise the failure propagates and a restart recovers
 * from the topics, which is always safe.
 */
public final class TransactionalPublish {

    private static final Logger LOG = Logger.getLogger(TransactionalPublish.class);
    static final int ATTEMPTS = 3;
    private static final Duration REJOIN_TIMEOUT = Duration.ofSeconds(60);

    private final Consumer<byte[], byte[]> consumer;
    private final Publisher publisher;
    private final LetheMetrics metrics;
    private final BooleanSupplier running;

    public TransactionalPublish(Consumer<byte[], byte[]> consumer, Publisher publisher, LetheMetrics metrics,
            BooleanSupplier running) {
        this.consumer = consumer;
        this.publisher = publisher;
        this.metrics = metrics;
        this.running = running;
    }

    /**
     * Publishes {@code tx} with {@code offsets} committed for the consumer's group, up to
     * {@value #ATTEMPTS} times.
     *
     * @return the audit events as published
     * @throws KafkaException the last failure, once the attempts are spent or the group cannot be rejoined
     */
    public List<AuditEvent> publish(Publisher.Transaction tx, Map<TopicPartition, OffsetAndMetadata> offsets) {
        for (int attempt = 1; ; attempt++) {
            ConsumerGroupMetadata group = consumer.groupMetadata();
            tx.offsets(offsets, group);
            try {
                return publisher.publish(tx);
            } catch (Publisher.FatalPublishException e) {
                throw e;
            } catch (KafkaException e) {
                metrics.publishAborted();
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
                LOG.warnf("publish attempt %d failed, retrying: %s", attempt, e.getMessage());
                if (staleGeneration(e) && !offsets.isEmpty()) {
                    if (!rejoin(group.generationId(), offsets.keySet())) {
                        throw e;
                    }
                    metrics.groupRejoined();
                }
            }
        }
    }

    /** Per partition written by the last committed transaction, the offset after its last record. */
    public Map<TopicPartition, Long> lastCommittedEnds() {
        return publisher.lastCommittedEnds();
    }

    /** Whether the broker refused the offsets because the group moved on to a newer generation. */
    static boolean staleGeneration(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof CommitFailedException || c instanceof IllegalGenerationException
                    || c instanceof UnknownMemberIdException || c instanceof RebalanceInProgressException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Polls, with every assigned partition paused and any record returned put back, until the
     * consumer is in a generation newer than {@code stale} that assigns it all of {@code needed}.
     */
    private boolean rejoin(int stale, Set<TopicPartition> needed) {
        long deadline = System.nanoTime() + REJOIN_TIMEOUT.toNanos();
        try {
            while (running.getAsBoolean() && System.nanoTime() < deadline) {
                consumer.pause(consumer.assignment());
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                // Partitions assigned anew come unpaused: what they returned is read again later.
                for (TopicPartition tp : records.partitions()) {
                    consumer.seek(tp, records.records(tp).get(0).offset());
                }
                int generation = consumer.groupMetadata().generationId();
                if (generation > stale) {
                    Set<TopicPartition> owned = consumer.assignment();
                    if (owned.containsAll(needed)) {
                        LOG.infof("rejoined the request group: generation %d → %d, %d partition(s)", stale,
                                generation, owned.size());
                        return true;
                    }
                    if (!owned.isEmpty()) {
                        LOG.warnf("the request group moved partitions of this batch to another member (generation %d)",
                                generation);
                        return false;
                    }
                }
            }
            return false;
        } finally {
            consumer.resume(consumer.assignment());
        }
    }
}
