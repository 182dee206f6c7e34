package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.daemon.kafka.EmbeddedKafka;
import dev.lethe.daemon.publish.Publisher;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lethe audit verify} as a user runs it, against a chain on a real in-JVM broker. */
@QuarkusMainTest
class AuditVerifyCommandTest {

    @Test
    void verifyReportsAnIntactChainAndExitsOneOnARecordThatIsNotAnEvent(QuarkusMainLauncher launcher, @TempDir Path dir)
            throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0)) {
            kafka.createTopic("lethe.audit", 1, Map.of());
            Pseudonymizer refs = Pseudonymizer.fromUtf8("audit-verify-command-test-0123456789");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "audit-verify-command-test"), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                Publisher publisher = new Publisher(producer, "lethe.audit", Clock.systemUTC());
                publisher.initTransactions();
                publisher.publish(new Publisher.Transaction().audit(AuditEvent.received("r-1", refs.pseudonymize("a")))
                        .audit(AuditEvent.rejected("r-1", refs.pseudonymize("a"), "no samples")));
            }
            Path dump = dir.resolve("audit.jsonl");

            LaunchResult ok = launcher.launch("audit", "verify", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--dump", dump.toString());

            assertThat(ok.exitCode()).as(ok.getErrorOutput()).isZero();
            assertThat(ok.getOutput()).contains("lethe.audit: intact: 2 events (0 legacy), head ");
            assertThat(Files.readAllLines(dump)).hasSize(2);

            try (KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                plain.send(new ProducerRecord<>("lethe.audit", "not json".getBytes())).get();
            }
            LaunchResult broken = launcher.launch("audit", "verify", "--bootstrap-servers", kafka.bootstrapServers());

            assertThat(broken.exitCode()).isEqualTo(1);
            assertThat(broken.getOutput()).contains("broken at event 2 of 3 (offset ");
        }
    }
}
