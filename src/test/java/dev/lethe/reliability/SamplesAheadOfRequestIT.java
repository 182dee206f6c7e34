package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.events.SampleRecordWriter;
import dev.lethe.testing.InJvmKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

/**
 * Regression: samples published before a deletion request but not yet indexed when its batch
 * closes must be forgotten (and tombstoned) with the batch, not refused as "subject erased". The
 * sample ingest is slowed down (one small fetch per poll) so that it lags behind the batch.
 */
class SamplesAheadOfRequestIT {

    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("samples-ahead");

    @Test
    void samplesPublishedBeforeTheRequestButIngestedAfterTheBatchClosedAreForgottenNotRefused() throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        Path dir = KAFKA.dir();
        Fixture.Population population = Fixture.Population.generate(23, 400, 400, 3, 5, 100);
        Map<String, String> props = Fixture.daemonProperties(bootstrap, dir.resolve("data"), Fixture.model());
        props.put("lethe.batch.linger", "0s");
        // A slow sample ingest: one record per poll, one small fetch at a time.
        props.put("lethe.kafka.client.\"max.poll.records\"", "1");
        props.put("lethe.kafka.client.\"max.partition.fetch.bytes\"", "1");
        props.put("lethe.kafka.client.\"fetch.max.bytes\"", "1");
        String subject = "person-late-in-the-backlog";
        List<String> ids = List.of("tail-1", "tail-2", "tail-3", "tail-4");
        try (LetheProcess daemon = LetheProcess.start(dir.resolve("lethe.log"), props, "serve");
             KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
            Fixture.awaitReady(daemon);
            population.publish(bootstrap); // a backlog ahead of the subject's samples
            for (String id : ids) {
                SampleRecord r = new SampleRecord(id, subject, 1, SampleRecord.TRAIN, Fixture.SHAPE,
                        Fixture.features(new Random(id.hashCode())));
                producer.send(new ProducerRecord<>(Fixture.SAMPLES, SampleRecordWriter.key(r), SampleRecordWriter.encode(r)));
            }
            producer.flush();
            producer.send(Fixture.request("r-tail", subject));
            producer.flush();
            Fixture.awaitTerminal(bootstrap, List.of("r-tail"), Duration.ofSeconds(240));
        }
        List<AuditEvent> audit = ExactlyOnceVerdict.audit(bootstrap);
        AuditEvent done = audit.stream().filter(e -> e.requestId().equals("r-tail") && ExactlyOnceVerdict.isTerminal(e))
                .findFirst().orElseThrow();
        List<String> refused = audit.stream().filter(e -> e.type().equals(EventTypes.DELETION_REJECTED))
                .map(AuditEvent::requestId).toList();
        assertThat(refused).as("samples of the subject refused instead of forgotten").isEmpty();
        assertThat(done.type()).isEqualTo(EventTypes.DELETION_COMPLETED);
        assertThat(done.samplesForgotten()).as("every sample published ahead of the request").isEqualTo(ids.size());
        Set<String> tombstoned = Fixture.readCommitted(bootstrap, Fixture.SAMPLES).stream()
                .filter(r -> r.value() == null).map(r -> new String(r.key(), StandardCharsets.UTF_8))
                .collect(Collectors.toSet());
        assertThat(tombstoned).containsExactlyInAnyOrderElementsOf(ids);
    }
}
