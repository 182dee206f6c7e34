package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.core.events.AuditChain;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.daemon.publish.Publisher;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Fault injection at the publish step. A real broker cannot be told to fail one commit, so the
 * producer is Kafka's {@link MockProducer}, which keeps committed and uncommitted records apart:
 * a failed commit must leave nothing visible, the audit chain rewound to its last published event,
 * and the next transaction must chain on from there. A fenced producer is fatal.
 */
class PublisherAbortTest {

    private static final String AUDIT = "audit";
    private static final Pseudonymizer REFS = Pseudonymizer.fromUtf8("publisher-abort-test-secret-0123");
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final Publisher publisher = new Publisher(producer, AUDIT, Clock.systemUTC());

    private static Publisher.Transaction batch(String requestId) {
        return new Publisher.Transaction()
                .record(new ProducerRecord<>("versions", "m".getBytes(StandardCharsets.UTF_8),
                        ("version-of-" + requestId).getBytes(StandardCharsets.UTF_8)))
                .record(new ProducerRecord<>("samples", ("sample-of-" + requestId).getBytes(StandardCharsets.UTF_8), null))
                .audit(AuditEvent.completed(requestId, REFS.pseudonymize("subject-of-" + requestId), 1, 2,
                        new AuditEvent.Mia(0.5, 0.9, 0.6, true)))
                .offsets(Map.of(new TopicPartition("requests", 0), new OffsetAndMetadata(7)),
                        new ConsumerGroupMetadata("g"));
    }

    private List<AuditEvent> auditOnTopic() {
        List<AuditEvent> events = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : producer.history()) {
            if (r.topic().equals(AUDIT)) {
                events.add(CloudEventJson.auditEventOf(CloudEventJson.parse(r.value())));
            }
        }
        return events;
    }

    @Test
    void aCommitThatFailsIsAbortedLeavesNothingVisibleAndRewindsTheAuditChain() {
        publisher.initTransactions();
        publisher.publish(batch("r1"));
        String headAfterFirst = publisher.chainHead();
        int visible = producer.history().size();

        producer.commitTransactionException = new KafkaException("injected: commit failed");
        assertThatThrownBy(() -> publisher.publish(batch("r2"))).isInstanceOf(KafkaException.class)
                .isNotInstanceOf(Publisher.FatalPublishException.class);

        assertThat(producer.transactionAborted()).isTrue();
        assertThat(producer.history()).as("nothing of the failed transaction is visible").hasSize(visible);
        assertThat(producer.uncommittedRecords()).isEmpty();
        assertThat(producer.consumerGroupOffsetsHistory()).as("only the first transaction's offsets").hasSize(1);
        assertThat(publisher.chainHead()).as("chain rewound").isEqualTo(headAfterFirst);

        // The retry (what RequestCoordinator does) chains on from the last published event.
        producer.commitTransactionException = null;
        List<AuditEvent> retried = publisher.publish(batch("r2"));
        assertThat(retried.get(0).prevHash()).isEqualTo(headAfterFirst);
        List<AuditEvent> onTopic = auditOnTopic();
        assertThat(onTopic).extracting(AuditEvent::requestId).containsExactly("r1", "r2");
        assertThat(AuditChain.verify(onTopic).ok()).isTrue();
    }

    @Test
    void aSendThatFailsInsideTheTransactionIsAbortedToo() {
        publisher.initTransactions();
        producer.sendOffsetsToTransactionException = new KafkaException("injected: offsets failed");
        assertThatThrownBy(() -> publisher.publish(batch("r1"))).isInstanceOf(KafkaException.class);
        assertThat(producer.history()).isEmpty();
        assertThat(publisher.chainHead()).isEqualTo(AuditChain.GENESIS_HASH);
    }

    @Test
    void aFencedProducerIsFatalAndPublishesNothingMore() {
        publisher.initTransactions();
        publisher.publish(batch("r1"));
        String head = publisher.chainHead();
        producer.fenceProducer();
        assertThatThrownBy(() -> publisher.publish(batch("r2"))).isInstanceOf(Publisher.FatalPublishException.class)
                .hasMessageContaining("can no longer publish");
        assertThat(publisher.chainHead()).isEqualTo(head);
        assertThat(auditOnTopic()).extracting(AuditEvent::requestId).containsExactly("r1");
    }

    @Test
    void aProducerThatCannotEvenAbortIsReplacedAndTheRetryGoesOutOnTheNewOne() {
        List<MockProducer<byte[], byte[]>> made = new ArrayList<>();
        Publisher replacing = new Publisher(() -> {
            MockProducer<byte[], byte[]> p = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
            made.add(p);
            return p;
        }, AUDIT, Clock.systemUTC(), Publisher.DEFAULT_MAX_RECORD_BYTES);
        replacing.initTransactions();
        made.get(0).commitTransactionException = new KafkaException("injected: error state");
        made.get(0).abortTransactionException = new KafkaException("injected: cannot abort either");

        assertThatThrownBy(() -> replacing.publish(batch("r1"))).isInstanceOf(KafkaException.class)
                .isNotInstanceOf(Publisher.FatalPublishException.class);

        assertThat(made).as("a new producer, same settings").hasSize(2);
        assertThat(made.get(0).closed()).isTrue();
        assertThat(made.get(1).transactionInitialized()).as("initTransactions() fences the old epoch").isTrue();
        List<AuditEvent> retried = replacing.publish(batch("r1"));
        assertThat(retried).extracting(AuditEvent::requestId).containsExactly("r1");
        assertThat(made.get(1).history()).hasSize(3);
        assertThat(made.get(0).history()).as("nothing of the failed transaction is visible").isEmpty();
    }

    @Test
    void aProducerFencedWhileAbortingIsNotReplacedSoTheNewerInstanceKeepsTheTransactionalId() {
        List<MockProducer<byte[], byte[]>> made = new ArrayList<>();
        Publisher replacing = new Publisher(() -> {
            MockProducer<byte[], byte[]> p = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
            made.add(p);
            return p;
        }, AUDIT, Clock.systemUTC(), Publisher.DEFAULT_MAX_RECORD_BYTES);
        replacing.initTransactions();
        made.get(0).commitTransactionException = new KafkaException("injected: commit failed");
        made.get(0).abortTransactionException = new org.apache.kafka.common.errors.ProducerFencedException("newer instance");

        assertThatThrownBy(() -> replacing.publish(batch("r1"))).isInstanceOf(Publisher.FatalPublishException.class);
        assertThat(made).as("no new producer: it would fence the newer instance").hasSize(1);
    }
}
