package dev.lethe.daemon.kafka;

import dev.lethe.daemon.config.LetheConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Builds Lethe's Kafka clients: bootstrap servers, then the user's pass-through properties
 * ({@code lethe.kafka.client.*}, e.g. SASL and TLS), then the few settings correctness depends
 * on, which the user cannot override (isolation level, manual commits, idempotence).
 */
public final class KafkaClients {

    private final LetheConfig config;

    public KafkaClients(LetheConfig config) {
        this.config = config;
    }

    private Map<String, Object> common(String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        props.putAll(config.kafka().client());
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, "lethe-" + config.model().name() + "-" + clientId);
        return props;
    }

    /** A consumer that sees committed data only and never commits on its own. */
    public KafkaConsumer<byte[], byte[]> consumer(String clientId, String groupId) {
        Map<String, Object> props = common(clientId);
        if (groupId != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
            // Static membership (KIP-345): a restarted daemon takes its partitions back at once
            // instead of waiting for the dead one's session to time out (45 s by default), and a
            // second instance of the same model fences the first one's consumer as its
            // transactional id fences its producer. Overridable through lethe.kafka.client.*.
            props.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "lethe-" + config.model().name() + "-" + clientId);
        }
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The publisher's transactional producer; one transactional id per model fences zombies. */
    public KafkaProducer<byte[], byte[]> transactionalProducer() {
        Map<String, Object> props = common("publisher");
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) config.kafka().transactionTimeout().toMillis());
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A plain idempotent producer, for the REST API's requests and the demo's samples. */
    public KafkaProducer<byte[], byte[]> producer(String clientId) {
        Map<String, Object> props = common(clientId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // One request in flight: on a topic created a moment ago a later batch can overtake a first
        // one that failed (not yet leader), the broker accepts it as the producer's first sequence,
        // and the retried first batch is refused as out of order until delivery.timeout.ms (2 min
        // and the batch lost; seen in the ITs that publish right after creating their topics).
        props.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public Admin admin() {
        return Admin.create(common("admin"));
    }
}
