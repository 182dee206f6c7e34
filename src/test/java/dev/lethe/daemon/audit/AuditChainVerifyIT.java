package dev.lethe.daemon.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.daemon.kafka.EmbeddedKafka;
import dev.lethe.testing.InJvmKafka;
import dev.lethe.daemon.kafka.TopicReader;
import dev.lethe.daemon.publish.Publisher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's publisher writes an audit chain to a real broker; the Java verifier (what
 * {@code lethe audit verify} runs) and the independent Python verifier
 * ({@code scripts/verify_audit_chain.py}, standard library only) read the same topic, agree that it
 * is intact, and both find the same broken event in a copy with one flipped byte.
 */
class AuditChainVerifyIT {

    private static final String AUDIT = "lethe.audit";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("scripts/verify_audit_chain.py");
    private static final Pseudonymizer REFS = Pseudonymizer.fromUtf8("audit-verify-it-secret-0123456789");

    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("audit-verify");

    @TempDir
    Path tmp;

    @Test
    void javaAndPythonVerifiersAgreeOnAPublishedChainAndBothFindAFlippedByte() throws Exception {
        EmbeddedKafka kafka = KAFKA.broker();
        kafka.createTopic(AUDIT, 1, Map.of());
        publishChain(kafka.bootstrapServers());
        // commitTransaction returns before the commit markers are written: until they are, a
        // read_committed reader stops at the last stable offset, before the last transaction.
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> values(kafka, AUDIT).size() == 7);

        ByteArrayOutputStream dump = new ByteArrayOutputStream();
        AuditTopicVerifier.Report intact = verify(kafka, AUDIT, dump);
        assertThat(intact.ok()).as(intact.describe()).isTrue();
        assertThat(intact.events()).isEqualTo(7);
        assertThat(intact.legacy()).isZero();
        Path dumped = tmp.resolve("audit.jsonl");
        Files.write(dumped, dump.toByteArray());
        Python ok = python(dumped);
        assertThat(ok.exit()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("intact: 7 events, head " + intact.head());

        List<byte[]> values = values(kafka, AUDIT);
        // A hex digit of a pseudonym (the JSON stays valid), a digit of an AUC, and a brace (it no longer parses).
        record Flip(int event, String after, String name) {
        }
        for (Flip flip : List.of(new Flip(1, "\"subjectRef\":\"", "subjectRef"), new Flip(3, "\"auc\":0.", "mia.auc"),
                new Flip(5, "", "opening brace"))) {
            String topic = AUDIT + ".tampered." + flip.event();
            kafka.createTopic(topic, 1, Map.of());
            byte[] damaged = values.get(flip.event()).clone();
            int at = indexAfter(damaged, flip.after());
            damaged[at] ^= 0x01; // '0'<->'1', 'a'<->'`', '{'<->'z'
            copy(kafka.bootstrapServers(), topic, values, flip.event(), damaged);

            AuditTopicVerifier.Report java = verify(kafka, topic, null);
            Path file = tmp.resolve(topic + ".jsonl");
            Files.write(file, dumpOf(kafka, topic));
            Python py = python(file);

            assertThat(java.ok()).as(flip.name()).isFalse();
            assertThat(java.verification().brokenIndex()).as(flip.name()).isEqualTo(flip.event());
            assertThat(py.exit()).as(flip.name() + ": " + py.output()).isEqualTo(1);
            assertThat(py.output()).as(flip.name()).contains("broken at event " + flip.event() + " of 7");
        }
    }

    @Test
    void thePythonVerifierReproducesLegacyHashesJavaDoublesIncludedAndTheJcsContinuation() throws Exception {
        String alice = REFS.pseudonymize("alice@example.com");
        // Events as the pre-JCS daemon wrote them (no hashAlg), with doubles Java prints awkwardly.
        List<AuditEvent> legacy = new java.util.ArrayList<>();
        String prev = dev.lethe.core.events.AuditChain.GENESIS_HASH;
        for (AuditEvent e : List.of(AuditEvent.received("r-1", alice),
                AuditEvent.completed("r-1", alice, 3, 1, new AuditEvent.Mia(1e-5, 0.1 + 0.2, 12345678.9, true)),
                AuditEvent.escalated("r-2", alice, 2, new AuditEvent.Mia(Double.NaN, 1.0, 2.5e-8, false), "é \"quoted\""))) {
            AuditEvent unhashed = new AuditEvent(e.type(), e.requestId(), e.subjectRef(), e.samplesForgotten(),
                    e.modelVersion(), e.mia(), e.reason(), prev, null, null);
            AuditEvent hashed = unhashed.withHashes(prev, dev.lethe.core.events.AuditChain.hashOf(prev, unhashed));
            legacy.add(hashed);
            prev = hashed.hash();
        }
        dev.lethe.core.events.AuditChain upgraded = dev.lethe.core.events.AuditChain.resumeFrom(prev);
        legacy.add(upgraded.append(AuditEvent.rejected("r-3", alice, "no samples")));
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (AuditEvent e : legacy) {
            lines.write(dev.lethe.core.events.CloudEventJson.write(dev.lethe.core.events.CloudEventJson.audit(
                    java.time.Instant.EPOCH, e)));
            lines.write('\n');
        }
        assertThat(lines.toString(StandardCharsets.UTF_8)).contains("1.0E-5").contains("1.23456789E7");
        Path file = tmp.resolve("legacy.jsonl");
        Files.write(file, lines.toByteArray());

        Python py = python(file);

        assertThat(py.exit()).as(py.output()).isZero();
        assertThat(py.output()).contains("intact: 4 events, head " + upgraded.lastHash());
    }

    /** Three transactions as the daemon publishes them, with NaN and awkward doubles among the AUCs. */
    private static void publishChain(String bootstrap) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.TRANSACTIONAL_ID_CONFIG, "audit-it",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new ByteArraySerializer(), new ByteArraySerializer())) {
            Publisher publisher = new Publisher(producer, AUDIT, Clock.systemUTC());
            publisher.initTransactions();
            String alice = REFS.pseudonymize("alice@example.com");
            String bob = REFS.pseudonymize("bob@example.com");
            publisher.publish(new Publisher.Transaction().audit(AuditEvent.received("r-1", alice))
                    .audit(AuditEvent.received("r-2", bob)));
            publisher.publish(new Publisher.Transaction()
                    .audit(AuditEvent.completed("r-1", alice, 10, 2, new AuditEvent.Mia(0.1 + 0.2, 0.987654321, 0.6, true)))
                    .audit(AuditEvent.escalated("r-2", bob, 12, new AuditEvent.Mia(0.71, Double.NaN, 1e-7, false),
                            "membership AUC 0.71 above 0.6 — \"escalated\"")));
            publisher.publish(new Publisher.Transaction().audit(AuditEvent.retrainRequired("r-2", bob, 12, "retrain"))
                    .audit(AuditEvent.rejected("r-3", bob, "no samples are indexed for this subject"))
                    .audit(AuditEvent.received("r-4", alice)));
        }
    }

    private static AuditTopicVerifier.Report verify(EmbeddedKafka kafka, String topic, OutputStream dump)
            throws IOException {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            return AuditTopicVerifier.verify(consumer, topic, WAIT, dump);
        }
    }

    private static byte[] dumpOf(EmbeddedKafka kafka, String topic) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] v : values(kafka, topic)) {
            out.write(v);
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static List<byte[]> values(EmbeddedKafka kafka, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            return TopicReader.readAll(consumer, topic, WAIT).stream().map(ConsumerRecord::value).toList();
        }
    }

    private static void copy(String bootstrap, String topic, List<byte[]> values, int index, byte[] replacement)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, i == index ? replacement : values.get(i))).get();
            }
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    private static int indexAfter(byte[] value, String marker) {
        int at = new String(value, StandardCharsets.ISO_8859_1).indexOf(marker);
        assertThat(at).as("marker " + marker).isNotNegative();
        return at + marker.length();
    }

    record Python(int exit, String output) {
    }

    private static Python python(Path file) throws Exception {
        Process p = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(), file.toString()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Python(p.exitValue(), out);
    }
}
