package dev.lethe.daemon.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a topic from its beginning up to its current end (the last stable offset, since Lethe's
 * consumers are {@code read_committed}): how the daemon recovers its current model version, the
 * audit chain's head and the completed request ids at start-up — from the topics, not from local
 * state that a crash may have left behind.
 */
public final class TopicReader {

    private TopicReader() {
    }

    /** Calls {@code action} for every committed record of {@code topic}, partition by partition. */
    public static void readAll(KafkaConsumer<byte[], byte[]> consumer, String topic, Duration timeout,
            Consumer<ConsumerRecord<byte[], byte[]>> action) {
        Instant deadline = Instant.now().plus(timeout);
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            return;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        infos.stream().sorted(Comparator.comparingInt(PartitionInfo::partition))
                .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        while (true) {
            boolean done = true;
            for (TopicPartition tp : partitions) {
                if (consumer.position(tp, timeout) < end.get(tp)) {
                    done = false;
                }
            }
            if (done) {
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("timed out reading " + topic + " to its end");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                    action.accept(record);
                }
            }
        }
        consumer.unsubscribe();
    }

    /** All committed records of {@code topic}, in offset order per partition. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaConsumer<byte[], byte[]> consumer, String topic,
            Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        readAll(consumer, topic, timeout, records::add);
        return records;
    }
}
