package dev.lethe.daemon.kafka;

import dev.lethe.core.events.CloudEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.EventTypes;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

/** Small conversions between Kafka records and what the core readers take. */
public final class Records {

    private static final Logger LOG = Logger.getLogger(Records.class);

    /**
     * A record of one of Lethe's own event topics as a CloudEvent; empty (logged by position, never
     * by content) for a tombstone or an unreadable value, which recovery skips.
     */
    public static Optional<CloudEvent> cloudEvent(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(CloudEventJson.parse(record.value()));
        } catch (RuntimeException e) {
            LOG.warnf("skipping an unreadable event at %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return Optional.empty();
        }
    }


    private Records() {
    }

    /** Headers by name (the last value wins for repeated names, as the readers expect). */
    public static Map<String, byte[]> headers(ConsumerRecord<byte[], byte[]> record) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        for (Header h : record.headers()) {
            headers.put(h.key(), h.value());
        }
        return headers;
    }

    /**
     * The record as it came, bound for a dead-letter topic, with the reason and its origin in
     * headers. The key and value are copied byte for byte, so nothing is lost.
     */
    public static ProducerRecord<byte[], byte[]> deadLetter(String dlqTopic, ConsumerRecord<byte[], byte[]> record,
            String reason) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(EventTypes.DEAD_LETTER_REASON, utf8(reason));
        headers.add(EventTypes.DEAD_LETTER_TOPIC, utf8(record.topic()));
        headers.add(EventTypes.DEAD_LETTER_PARTITION, utf8(String.valueOf(record.partition())));
        headers.add(EventTypes.DEAD_LETTER_OFFSET, utf8(String.valueOf(record.offset())));
        return new ProducerRecord<>(dlqTopic, null, record.key(), record.value(), headers);
    }

    /** A tombstone for {@code sampleId} on the samples topic, naming the model that unlearned it. */
    public static ProducerRecord<byte[], byte[]> tombstone(String samplesTopic, String sampleId, String model) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventTypes.MODEL_HEADER, utf8(model));
        return new ProducerRecord<>(samplesTopic, null, utf8(sampleId), null, headers);
    }

    /** {@link #deadLetter(String, ConsumerRecord, String)} naming the model whose daemon wrote it. */
    public static ProducerRecord<byte[], byte[]> deadLetter(String dlqTopic, ConsumerRecord<byte[], byte[]> record,
            String reason, String model) {
        ProducerRecord<byte[], byte[]> letter = deadLetter(dlqTopic, record, reason);
        letter.headers().add(EventTypes.MODEL_HEADER, utf8(model));
        return letter;
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
