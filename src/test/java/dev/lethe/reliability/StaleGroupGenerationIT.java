package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.daemon.kafka.EmbeddedKafka;
import dev.lethe.daemon.kafka.Records;
import dev.lethe.daemon.observe.LetheMetrics;
import dev.lethe.daemon.publish.Publisher;
import dev.lethe.daemon.requests.TransactionalPublish;
import dev.lethe.testing.InJvmKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rebalance during a batch, against the real broker: the group moves on to a new generation
 * while the request consumer holds offsets to commit (here the static member is removed by the
 * admin API, as the coordinator does when its heartbeats stop for a session timeout). The
 * transaction with the stale generation is aborted; the publish rejoins the group in place and
 * commits once with the new generation. Before, all three attempts reused the stale generation
 * and the daemon had to exit (docs/reliability.md, third proxy run).
 */
class StaleGroupGenerationIT {

    private static final String REQUESTS = "g.requests";
    private static final String AUDIT = "g.audit";
    private static final String OUT = "g.out";
    private static final String GROUP = "g.group";
    private static final String INSTANCE = "g-member-1";
    private static final Pseudonymizer REFS = Pseudonymizer.fromUtf8("stale-generation-it-secret-0123456");
    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("stale-generation");
    private static EmbeddedKafka broker;

    @BeforeAll
    static void topics() {
        broker = KAFKA.broker();
        broker.createTopic(REQUESTS, 2, Map.of());
        broker.createTopic(AUDIT, 1, Map.of());
        broker.createTopic(OUT, 1, Map.of());
    }

    @Test
    void aPublishWhoseGroupGenerationWentStaleRejoinsInPlaceAndCommitsOnce() throws Exception {
        Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 4; i++) {
                plain.send(new ProducerRecord<>(REQUESTS, i % 2, null, Records.utf8("request-" + i))).get();
            }
        }
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer();
             Publisher publisher = publisher();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            consumer.subscribe(List.of(REQUESTS));
            List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (read.size() < 4 && System.nanoTime() < until) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
            assertThat(read).hasSize(4);
            int before = consumer.groupMetadata().generationId();

            // The group moves on without the member, as when its heartbeats are lost for a session timeout.
            admin.removeMembersFromConsumerGroup(GROUP, new RemoveMembersFromConsumerGroupOptions(
                    List.of(new MemberToRemove(INSTANCE)))).all().get();

            Map<TopicPartition, OffsetAndMetadata> offsets = Map.of(new TopicPartition(REQUESTS, 0), new OffsetAndMetadata(2),
                    new TopicPartition(REQUESTS, 1), new OffsetAndMetadata(2));
            List<AuditEvent> published = new TransactionalPublish(consumer, publisher, new LetheMetrics(meters), () -> true)
                    .publish(new Publisher.Transaction().record(new ProducerRecord<>(OUT, Records.utf8("batch-1")))
                            .audit(AuditEvent.received("r-1", REFS.pseudonymize("s-1"))), offsets);

            assertThat(published).extracting(AuditEvent::requestId).containsExactly("r-1");
            assertThat(meters.counter(LetheMetrics.PUBLISH_ABORTS).count()).as("the stale attempt, aborted").isEqualTo(1.0);
            assertThat(meters.counter(LetheMetrics.GROUP_REJOINS).count()).isEqualTo(1.0);
            assertThat(consumer.groupMetadata().generationId()).isGreaterThan(before);
            assertThat(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get())
                    .isEqualTo(offsets);
            assertThat(Fixture.readCommitted(broker.bootstrapServers(), OUT))
                    .extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactly("batch-1");
            assertThat(Fixture.readCommitted(broker.bootstrapServers(), AUDIT)).hasSize(1);

            // Rejoining reset the positions to what was committed then (nothing): the requests come
            // again, and the erasure flow drops them as duplicates by request id.
            List<ConsumerRecord<byte[], byte[]>> again = new ArrayList<>();
            until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (again.size() < 4 && System.nanoTime() < until) {
                consumer.poll(Duration.ofMillis(200)).forEach(again::add);
            }
            assertThat(values(again)).isEqualTo(values(read));
        }
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> r.partition() + ":" + r.offset() + ":" + new String(r.value(), StandardCharsets.UTF_8))
                .sorted().collect(Collectors.toList());
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, GROUP, ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, INSTANCE,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static Publisher publisher() {
        Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "g-publisher", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all");
        Publisher publisher = new Publisher(() -> new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()),
                AUDIT, Clock.systemUTC(), Publisher.DEFAULT_MAX_RECORD_BYTES);
        publisher.initTransactions();
        return publisher;
    }
}
