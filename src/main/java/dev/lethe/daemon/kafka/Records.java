package dev.lethe.daemon.kafka;

import dev.lethe.core.events.EventTypes;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Small conversions between Kafka records and what the core readers take. */
public final class Records {

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

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
