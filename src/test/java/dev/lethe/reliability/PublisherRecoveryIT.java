package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.daemon.kafka.DeadLetters;
import dev.lethe.daemon.kafka.EmbeddedKafka;
import dev.lethe.testing.InJvmKafka;
import dev.lethe.daemon.kafka.Records;
import dev.lethe.daemon.publish.Publisher;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, parts 1 and 2, against the real broker: a dead letter larger than the producer may
 * send goes out bounded, without its payload, and the transaction commits; a record the producer
 * refuses fails its transaction, and the publisher (given a producer factory) publishes the next one.
 */
class PublisherRecoveryIT {

    private static final String DLQ = "t.dlq";
    private static final String AUDIT = "t.audit";
    private static final String OUT = "t.out";
    private static final Pseudonymizer REFS = Pseudonymizer.fromUtf8("publisher-recovery-it-secret-0123");
    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("publisher-recovery");
    private static EmbeddedKafka broker;

    @BeforeAll
    static void topics() {
        broker = KAFKA.broker();
        for (String t : List.of(DLQ, AUDIT, OUT)) {
            broker.createTopic(t, 1, Map.of());
        }
    }

    private static Publisher publisher(String transactionalId) {
        Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all");
        Publisher publisher = new Publisher(() -> new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()),
                AUDIT, Clock.systemUTC(), Publisher.DEFAULT_MAX_RECORD_BYTES);
        publisher.initTransactions();
        return publisher;
    }

    private static ProducerRecord<byte[], byte[]> deadLetter(byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("origin-header", Records.utf8("raw-subject-7"));
        headers.add(EventTypes.DEAD_LETTER_REASON, Records.utf8("value is not JSON"));
        headers.add(EventTypes.DEAD_LETTER_TOPIC, Records.utf8("lethe.deletion-requests"));
        headers.add(EventTypes.DEAD_LETTER_PARTITION, Records.utf8("2"));
        headers.add(EventTypes.DEAD_LETTER_OFFSET, Records.utf8("41"));
        return new ProducerRecord<>(DLQ, null, Records.utf8("raw-subject-7"), value, headers);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void aDeadLetterLargerThanTheProducerMaySendGoesOutWithoutItsPayloadAndTheTransactionCommits() throws Exception {
        byte[] huge = new byte[2 * 1024 * 1024];
        new Random(3).nextBytes(huge);
        try (Publisher publisher = publisher("t-bounded")) {
            publisher.publish(new Publisher.Transaction().record(deadLetter(huge)).record(deadLetter(Records.utf8("{")))
                    .audit(AuditEvent.received("r-1", REFS.pseudonymize("s-1"))));
        }

        List<ConsumerRecord<byte[], byte[]>> letters = Fixture.readCommitted(broker.bootstrapServers(), DLQ);
        assertThat(letters).hasSize(2);
        ConsumerRecord<byte[], byte[]> bounded = letters.get(0);
        assertThat(bounded.key()).as("no payload: the key may be a raw subject id").isNull();
        assertThat(bounded.value()).isNull();
        assertThat(bounded.headers().lastHeader("origin-header")).isNull();
        assertThat(header(bounded, DeadLetters.SIZE)).isEqualTo(String.valueOf(huge.length));
        assertThat(header(bounded, DeadLetters.SHA256))
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(huge)));
        assertThat(header(bounded, EventTypes.DEAD_LETTER_REASON)).startsWith("value is not JSON; copy without payload");
        assertThat(header(bounded, EventTypes.DEAD_LETTER_OFFSET)).isEqualTo("41");
        assertThat(letters.get(1).value()).as("a small dead letter stays a copy byte for byte").isEqualTo(Records.utf8("{"));
        assertThat(Fixture.readCommitted(broker.bootstrapServers(), AUDIT))
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).contains("r-1");
    }

    @Test
    void aTransactionTheProducerCannotSendFailsAndTheNextOneIsPublished() {
        byte[] huge = new byte[2 * 1024 * 1024];
        try (Publisher publisher = publisher("t-replace")) {
            Publisher.Transaction poisoned = new Publisher.Transaction()
                    .record(new ProducerRecord<>(OUT, Records.utf8("k"), huge)).audit(AuditEvent.received("r-x", REFS.pseudonymize("s-x")));
            assertThatThrownBy(() -> publisher.publish(poisoned)).isInstanceOf(KafkaException.class)
                    .isNotInstanceOf(Publisher.FatalPublishException.class);

            List<AuditEvent> published = publisher.publish(new Publisher.Transaction()
                    .record(new ProducerRecord<>(OUT, Records.utf8("k"), Records.utf8("fine")))
                    .audit(AuditEvent.received("r-y", REFS.pseudonymize("s-y"))));
            assertThat(published).extracting(AuditEvent::requestId).containsExactly("r-y");
        }

        List<ConsumerRecord<byte[], byte[]>> out = Fixture.readCommitted(broker.bootstrapServers(), OUT);
        assertThat(out).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactly("fine");
        assertThat(Fixture.readCommitted(broker.bootstrapServers(), AUDIT))
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).contains("r-y").doesNotContain("r-x");
    }
}
