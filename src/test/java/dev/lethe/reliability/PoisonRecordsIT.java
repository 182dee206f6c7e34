package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.daemon.kafka.DeadLetters;
import dev.lethe.core.events.EventTypes;
import dev.lethe.testing.InJvmKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What any client can put on the input topics, up to the broker's limit (issue 14, Done 2): gzip-
 * compressed, a 2 MB JSON value (the broker's limit is 1 MB: it takes the compressed batch) and a
 * burst of random bytes from 1 byte to just under that limit, with odd headers, on both input topics,
 * among 25 valid requests. Every bad record ends in its DLQ with a reason — the ones the producer
 * may not copy (over its 1 MB {@code max.request.size} uncompressed) in the bounded form with their
 * size and sha256 — the daemon stays alive and ready, and every valid request completes once.
 */
class PoisonRecordsIT {

    private static final int BROKER_LIMIT = 1_048_588; // message.max.bytes, Kafka's default
    private static final int[] RANDOM_SIZES = {1, 100, 10_000, 300_000, BROKER_LIMIT - 4_096};

    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("poison");

    /** A bad record sent, and what it was. */
    private record Sent(String topic, String what, byte[] value) {
    }

    @Test
    void oversizedCompressedAndRandomRecordsAreDeadLetteredAndEveryValidRequestCompletes() throws Exception {
        String bootstrap = KAFKA.broker().bootstrapServers();
        Path dir = KAFKA.dir();
        Fixture.Population population = Fixture.Population.generate(21, 36, 36, 3, 5, 60);
        Map<String, String> requestSubject = new LinkedHashMap<>();
        List<Sent> bad = new ArrayList<>();
        Path log = dir.resolve("lethe.log");
        long started = System.nanoTime();
        try (LetheProcess daemon = LetheProcess.start(log,
                Fixture.daemonProperties(bootstrap, dir.resolve("data"), Fixture.model()), "serve");
                KafkaProducer<byte[], byte[]> plain = Fixture.producer(bootstrap);
                KafkaProducer<byte[], byte[]> gzip = gzipProducer(bootstrap)) {
            Fixture.awaitReady(daemon);
            population.publish(bootstrap);
            // Subjects 25–35 are never erased: the retain buffer draws from them.
            Fixture.sendRequests(plain, requestSubject, "r-before", population.subjects().subList(0, 10));

            Random rng = new Random(14);
            for (String topic : List.of(Fixture.REQUESTS, Fixture.SAMPLES)) {
                byte[] big = bigJson(topic.equals(Fixture.REQUESTS) ? "requestId" : "sampleId");
                send(gzip, bad, new Sent(topic, "2 MB of JSON, gzip", big), rng);
                for (int size : RANDOM_SIZES) {
                    byte[] noise = new byte[size];
                    rng.nextBytes(noise);
                    send(gzip, bad, new Sent(topic, size + " random bytes, gzip", noise), rng);
                }
            }
            gzip.flush();
            Fixture.sendRequests(plain, requestSubject, "r-after", population.subjects().subList(10, 25));

            Fixture.awaitTerminal(bootstrap, requestSubject.keySet(), Duration.ofSeconds(240));
            assertThat(daemon.isAlive()).as("the daemon is still running").isTrue();
            assertThat(daemon.isReady()).as("and ready").isTrue();
        }

        // Every bad record is in its DLQ with a reason: a byte-for-byte copy, or bounded with its sha256.
        for (String topic : List.of(Fixture.REQUESTS, Fixture.SAMPLES)) {
            String dlq = topic.equals(Fixture.REQUESTS) ? Fixture.REQUESTS_DLQ : Fixture.SAMPLES_DLQ;
            List<ConsumerRecord<byte[], byte[]>> letters = Fixture.readCommitted(bootstrap, dlq);
            for (Sent s : bad.stream().filter(b -> b.topic().equals(topic)).toList()) {
                String sha = sha256(s.value());
                List<ConsumerRecord<byte[], byte[]>> found = letters.stream().filter(l -> l.value() != null
                        ? java.util.Arrays.equals(l.value(), s.value()) : sha.equals(header(l, DeadLetters.SHA256)))
                        .toList();
                assertThat(found).as("dead letters of %s on %s", s.what(), topic).hasSize(1);
                ConsumerRecord<byte[], byte[]> letter = found.get(0);
                assertThat(header(letter, EventTypes.DEAD_LETTER_REASON)).as("reason of %s", s.what()).isNotBlank();
                System.out.printf("[poison] %s on %s -> %s, %s%n", s.what(), topic,
                        letter.value() == null ? "bounded (" + header(letter, DeadLetters.SIZE) + " bytes)" : "copied",
                        header(letter, EventTypes.DEAD_LETTER_REASON));
            }
        }
        ExactlyOnceVerdict.Counts counts = ExactlyOnceVerdict.check(bootstrap, requestSubject, population);
        System.out.printf("[poison] %d bad records, %s, %.0f s%n", bad.size(), counts,
                (System.nanoTime() - started) / 1e9);
        assertThat(counts.lost()).isZero();
        assertThat(counts.duplicated()).isZero();
        assertThat(Files.readString(log)).as("the daemon never stopped").doesNotContain("Lethe stopped");
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, List<Sent> bad, Sent s, Random rng)
            throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(s.topic(), null, ("poison-" + bad.size())
                .getBytes(StandardCharsets.UTF_8), s.value());
        // Odd headers: random names and bytes, a null value, a CloudEvent header without the rest.
        byte[] name = new byte[8];
        rng.nextBytes(name);
        record.headers().add(HexFormat.of().formatHex(name), name);
        record.headers().add("x-empty", null);
        if (bad.size() % 2 == 0) {
            record.headers().add(EventTypes.CE_ID, name);
        }
        producer.send(record).get(); // the broker takes it: what reaches the topic is what Lethe must handle
        bad.add(s);
    }

    private static byte[] bigJson(String idField) {
        StringBuilder b = new StringBuilder("{\"" + idField + "\":\"poison-big\",\"subjectId\":\"nobody\",\"pad\":\"");
        while (b.length() < 2 * 1024 * 1024) {
            b.append("lethe-poison-");
        }
        return b.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> gzipProducer(String bootstrap) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
    }
}
