package dev.lethe.daemon.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import dev.lethe.testing.InJvmKafka;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real KRaft broker in this JVM: transactions, read_committed, and data that survives a restart. */
class EmbeddedKafkaIT {

    private static final String TOPIC = "lethe.it.transactions";
    private static final int PARTITIONS = 3;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @BeforeAll
    static void quietBrokerLogs() {
        InJvmKafka.quietBrokerLogs(); // this test starts and restarts the broker itself
    }

    @Test
    void readCommittedConsumerSeesTheCommittedTransactionAndNotTheAbortedOne() throws Exception {
        try (EmbeddedKafka kafka = timedStart(0, tmp.resolve("kafka"))) {
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());
            assertThat(kafka.port()).isPositive();

            kafka.createTopic(TOPIC, PARTITIONS, Map.of("min.insync.replicas", "1"));
            kafka.createTopic(TOPIC, PARTITIONS, Map.of()); // idempotent
            assertThat(describe(kafka, TOPIC).partitions()).hasSize(PARTITIONS);

            String transactionalId = "lethe-it-" + UUID.randomUUID();
            try (KafkaProducer<String, String> producer = transactionalProducer(kafka, transactionalId)) {
                producer.initTransactions();
                sendInOneTransaction(producer, "committed", 100, true);
                sendInOneTransaction(producer, "aborted", 10, false);
            }

            List<ConsumerRecord<String, String>> records =
                    readAllCommitted(kafka, "lethe-it-" + UUID.randomUUID(), true);
            assertThat(records).hasSize(100);
            assertThat(records).extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrderElementsOf(values("committed", 100));
        }
    }

    @Test
    void restartOnTheSameLogDirKeepsTopicsCommittedRecordsOffsetsAndTransactions() throws Exception {
        Path logDir = tmp.resolve("kafka");
        String transactionalId = "lethe-it-" + UUID.randomUUID();
        String group = "lethe-it-group-" + UUID.randomUUID();
        String clusterId;
        int port;

        try (EmbeddedKafka kafka = timedStart(0, logDir)) {
            clusterId = kafka.clusterId();
            port = kafka.port();
            kafka.createTopic(TOPIC, PARTITIONS, Map.of());
            try (KafkaProducer<String, String> producer = transactionalProducer(kafka, transactionalId)) {
                producer.initTransactions();
                sendInOneTransaction(producer, "committed", 100, true);
                sendInOneTransaction(producer, "aborted", 10, false);
            }
            assertThat(readAllCommitted(kafka, group, true)).hasSize(100);
        }
        assertThat(logDir.resolve("meta.properties")).as("the log dir is kept").exists();

        // Same directory and the same port as before (rebinding a port that was just closed).
        try (EmbeddedKafka kafka = timedStart(port, logDir)) {
            assertThat(kafka.clusterId()).isEqualTo(clusterId);
            assertThat(kafka.port()).isEqualTo(port);
            assertThat(describe(kafka, TOPIC).partitions()).hasSize(PARTITIONS);
            kafka.createTopic(TOPIC, PARTITIONS, Map.of()); // still idempotent after a restart

            assertThat(readAllCommitted(kafka, "lethe-it-" + UUID.randomUUID(), false))
                    .extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrderElementsOf(values("committed", 100));
            assertThat(committedOffsets(kafka, group)).as("the group's committed offsets")
                    .isEqualTo(endOffsets(kafka));

            // The transaction coordinator's state survived too: the same transactional id can
            // fence its old epoch and commit again.
            try (KafkaProducer<String, String> producer = transactionalProducer(kafka, transactionalId)) {
                producer.initTransactions();
                sendInOneTransaction(producer, "after-restart", 5, true);
            }
            assertThat(readAllCommitted(kafka, "lethe-it-" + UUID.randomUUID(), false))
                    .extracting(ConsumerRecord::value)
                    .hasSize(105)
                    .containsAll(values("after-restart", 5));
        }

        // A fresh directory is a different cluster.
        try (EmbeddedKafka other = EmbeddedKafka.start(0)) {
            assertThat(other.clusterId()).isNotEqualTo(clusterId);
            assertThat(other.logDir()).exists();
            Path otherDir = other.logDir();
            other.close();
            assertThat(otherDir).as("a temporary log dir is deleted on close").doesNotExist();
        }
    }

    @Test
    void aBusyPortFailsFastWithAClearMessage() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0)) {
            Path dir = Files.createDirectories(tmp.resolve("second"));
            assertThatThrownBy(() -> EmbeddedKafka.start(kafka.port(), dir))
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + kafka.port());
        }
    }

    private static EmbeddedKafka timedStart(int port, Path logDir) {
        long t0 = System.nanoTime();
        EmbeddedKafka kafka = EmbeddedKafka.start(port, logDir);
        System.out.printf("[EmbeddedKafkaIT] broker up on %s in %d ms (%s)%n", kafka.bootstrapServers(),
                (System.nanoTime() - t0) / 1_000_000, logDir);
        return kafka;
    }

    private static List<String> values(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + "-" + i).toList();
    }

    private static void sendInOneTransaction(KafkaProducer<String, String> producer, String prefix, int n,
                                             boolean commit) {
        producer.beginTransaction();
        for (String value : values(prefix, n)) {
            producer.send(new ProducerRecord<>(TOPIC, value, value));
        }
        producer.flush();
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.abortTransaction();
        }
    }

    private static KafkaProducer<String, String> transactionalProducer(EmbeddedKafka kafka, String transactionalId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    private static KafkaConsumer<String, String> readCommittedConsumer(EmbeddedKafka kafka, String group) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(props);
    }

    /**
     * Reads the topic with a read_committed consumer group until its position is at the end of
     * every partition (past the aborted records and the transaction markers), so nothing more can
     * arrive.
     */
    private static List<ConsumerRecord<String, String>> readAllCommitted(EmbeddedKafka kafka, String group,
                                                                         boolean commitOffsets) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = readCommittedConsumer(kafka, group)) {
            consumer.subscribe(List.of(TOPIC));
            await().atMost(WAIT).pollInSameThread().pollInterval(Duration.ZERO).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                Set<TopicPartition> assigned = consumer.assignment();
                assertThat(assigned).hasSize(PARTITIONS);
                Map<TopicPartition, Long> ends = consumer.endOffsets(assigned);
                for (TopicPartition tp : assigned) {
                    assertThat(consumer.position(tp)).as("position of %s", tp).isEqualTo(ends.get(tp));
                }
            });
            if (commitOffsets) {
                consumer.commitSync();
            }
        }
        return records;
    }

    private static Map<TopicPartition, Long> committedOffsets(EmbeddedKafka kafka, String group) throws Exception {
        try (Admin admin = admin(kafka)) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    private static Map<TopicPartition, Long> endOffsets(EmbeddedKafka kafka) {
        try (KafkaConsumer<String, String> consumer = readCommittedConsumer(kafka, "unused")) {
            List<TopicPartition> tps = IntStream.range(0, PARTITIONS)
                    .mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
            return consumer.endOffsets(tps);
        }
    }

    private static TopicDescription describe(EmbeddedKafka kafka, String topic) throws Exception {
        try (Admin admin = admin(kafka)) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        }
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }
}
