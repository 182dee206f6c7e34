package dev.lethe.daemon.audit;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.CloudEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.EventTypes;
import dev.lethe.daemon.kafka.Records;
import dev.lethe.daemon.kafka.TopicReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The audit topic as one model reads it. Several models may share {@code lethe.audit}: each event
 * names its model ({@code model}, source {@code urn:lethe:<model>}) and each model has its own hash
 * chain. At start-up {@link #recover} replays this model's events into the erasure flow (which
 * rebuilds dedupe and erased-subject state from them) and finds its chain head; another model's
 * events only feed the read model, so one model never takes another's erasures for its own.
 * Events that name no model were written before models shared topics and count as this model's.
 * {@link Follower} then keeps the read model current with the other models' events.
 */
public final class ModelAuditTrail {

    private static final Logger LOG = Logger.getLogger(ModelAuditTrail.class);

    /**
     * What start-up found.
     *
     * @param chainHead  the hash of this model's last event, null when it has none
     * @param followFrom per partition, where the follower starts (the end before recovery read)
     */
    public record Recovered(String chainHead, int own, int unnamed, int others, Map<TopicPartition, Long> followFrom) {
    }

    private ModelAuditTrail() {
    }

    /**
     * Reads the audit topic to its end.
     *
     * @param ownEvents   this model's events (and unnamed ones), in topic order, with their time
     * @param everyEvent  every audit event, for the read model
     */
    public static Recovered recover(KafkaConsumer<byte[], byte[]> reader, String topic, String model, Duration timeout,
            BiConsumer<AuditEvent, Instant> ownEvents, BiConsumer<AuditEvent, Instant> everyEvent) {
        // Captured before reading: the follower starts here, so an event committed while recovery
        // reads is seen once more at worst (the read model's updates are idempotent), never missed.
        List<TopicPartition> partitions = reader.partitionsFor(topic, timeout).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, Long> end = reader.endOffsets(partitions, timeout);
        String[] head = {null};
        int[] counts = new int[3];
        TopicReader.readAll(reader, topic, timeout, record -> event(record).ifPresent(e -> {
            AuditEvent audit = e.event();
            everyEvent.accept(audit, e.at());
            if (audit.model() == null || audit.model().equals(model)) {
                counts[audit.model() == null ? 1 : 0]++;
                if (audit.model() != null) {
                    head[0] = audit.hash();
                }
                ownEvents.accept(audit, e.at());
            } else {
                counts[2]++;
            }
        }));
        return new Recovered(head[0], counts[0], counts[1], counts[2], Map.copyOf(end));
    }

    private record Timed(AuditEvent event, Instant at) {
    }

    private static Optional<Timed> event(ConsumerRecord<byte[], byte[]> record) {
        Optional<CloudEvent> event = Records.cloudEvent(record);
        if (event.isEmpty() || !EventTypes.AUDIT_TYPES.contains(event.get().type())) {
            return Optional.empty();
        }
        try {
            AuditEvent audit = CloudEventJson.auditEventOf(event.get());
            return Optional.of(new Timed(audit, event.get().time() == null ? Instant.EPOCH : event.get().time()));
        } catch (RuntimeException e) {
            LOG.warnf("skipping an unreadable audit event at %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Follows the audit topic from where recovery started and hands the other models' events to the
     * read model ({@code GET /deletion-requests/{id}} shows every model's state). This model's own
     * events reach the read model when its transactions commit. Never stops the daemon: an error
     * is logged and the follower goes on from where it was.
     */
    public static final class Follower implements Runnable {

        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Map<TopicPartition, Long> from;
        private final String model;
        private final BiConsumer<AuditEvent, Instant> othersEvents;
        private volatile boolean running = true;

        public Follower(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> from, String model,
                BiConsumer<AuditEvent, Instant> othersEvents) {
            this.consumer = consumer;
            this.from = from;
            this.model = model;
            this.othersEvents = othersEvents;
        }

        @Override
        public void run() {
            if (from.isEmpty()) { // no audit topic (yet): nothing to follow
                LOG.info("no audit topic partitions to follow: other models' states are not shown");
                consumer.close(Duration.ofSeconds(5));
                return;
            }
            try {
                consumer.assign(from.keySet());
                from.forEach(consumer::seek);
                while (running) {
                    try {
                        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                            event(record).filter(e -> e.event().model() != null && !model.equals(e.event().model()))
                                    .ifPresent(e -> othersEvents.accept(e.event(), e.at()));
                        }
                    } catch (WakeupException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        LOG.warnf("following the audit topic: %s (going on in a second)", e.getMessage());
                        pause();
                    }
                }
            } catch (WakeupException e) {
                if (running) {
                    throw e;
                }
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }

        private void pause() {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }

        public void stop() {
            running = false;
            consumer.wakeup();
        }
    }
}
