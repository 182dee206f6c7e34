package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.events.SampleRecordWriter;
import dev.lethe.testing.ByteSearch;
import dev.lethe.testing.InJvmKafka;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Done-means 5 of issue 14: with every lifetime window set to seconds, erased subjects leave no
 * byte behind that an investigator with the disks could find — not in the broker's log
 * directories, not in the subject index's files, not in the model registry, not in the daemon's
 * log — while the bystanders' bytes are still found there (so the search can find).
 *
 * <p>Samples are sent uncompressed and the index writes uncompressed files, so a plain byte search
 * is a fair one. Kafka's log cleaner only compacts closed segments, so after the erasures a
 * bystander sample is re-sent to every partition every second, as a live training pipeline would
 * write: an append after {@code segment.ms} rolls the segment that holds the tombstones (a
 * partition nobody writes to keeps its last segment, and the originals in front of it, until then).
 */
class RemnantsIT {

    private static final Duration WAIT = Duration.ofSeconds(180);
    /** The daemon's default partition count of the topics it creates. */
    private static final int PARTITIONS = 3;

    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("remnants", Map.of(
            "log.cleaner.backoff.ms", "200",
            "log.segment.delete.delay.ms", "200",
            "log.retention.check.interval.ms", "500",
            // Index files are preallocated to this size (10 MiB by default) and hold offsets only:
            // small, so the byte search reads what the broker wrote, not gigabytes of zeros.
            "log.index.size.max.bytes", "65536"));

    /** What a search looks for about one subject: its raw id and each sample's features, as each store writes them. */
    record Needles(String subjectId, List<byte[]> bytes) {

        static Needles of(Fixture.Subject subject, Map<String, SampleRecord> samples) {
            List<byte[]> bytes = new ArrayList<>();
            bytes.add(utf8(subject.id()));
            for (String sampleId : subject.sampleIds()) {
                float[] features = samples.get(sampleId).features();
                // On the topic: base64 text of the float32s (the first 40 characters are 30 whole bytes).
                bytes.add(utf8(SampleRecordWriter.encodeFeatures(features).substring(0, 40)));
                // In the index: the float32s themselves, little-endian.
                bytes.add(java.util.Arrays.copyOf(floatBytes(features), 64));
            }
            return new Needles(subject.id(), bytes);
        }
    }

    @Test
    void erasedSubjectsLeaveNoBytesInTheBrokerTheIndexOrTheRegistryWhileBystandersStayFindable() throws Exception {
        Path dir = KAFKA.dir();
        String bootstrap = KAFKA.bootstrapServers();
        Path dataDir = dir.resolve("lethe-data");
        Map<String, String> props = Fixture.daemonProperties(bootstrap, dataDir, Fixture.model());
        props.put("lethe.retention.samples-max-compaction-lag", "PT2S");
        props.put("lethe.retention.samples-segment", "PT2S");
        props.put("lethe.retention.samples-min-cleanable-dirty-ratio", "0.01");
        props.put("lethe.retention.samples-tombstone", "PT1S");
        props.put("lethe.retention.requests", "PT5S");
        props.put("lethe.retention.dead-letters", "PT5S");
        props.put("lethe.retention.delete-segment", "PT2S");
        props.put("lethe.index.compression", "none");
        props.put("lethe.registry.retire-after", "PT1S");
        Path log = dir.resolve("lethe.log");

        Fixture.Population population = Fixture.Population.generate(14, 24, 24, 3, 5, 40);
        Map<String, SampleRecord> samples = population.records().stream()
                .collect(Collectors.toMap(SampleRecord::sampleId, r -> r));
        List<Fixture.Subject> erased = population.subjects().subList(0, 8);
        List<Fixture.Subject> bystanders = population.subjects().subList(8, 24);

        try (LetheProcess daemon = LetheProcess.start(log, props, "serve")) {
            Fixture.awaitReady(daemon);
            population.publish(bootstrap);
            // Two rounds, so that at least three versions exist and version 1 is neither current nor its parent.
            List<String> requestIds = new ArrayList<>();
            for (List<Fixture.Subject> round : List.of(erased.subList(0, 4), erased.subList(4, 8))) {
                try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
                    for (Fixture.Subject s : round) {
                        // Request ids are kept for good (audit, model versions): never derive them from the subject.
                        String requestId = "r-" + requestIds.size();
                        requestIds.add(requestId);
                        producer.send(Fixture.request(requestId, s.id()));
                    }
                    producer.flush();
                }
                Fixture.awaitTerminal(bootstrap, requestIds, WAIT);
            }
            assertVersionOneIsRetired(daemon, bootstrap, dataDir.resolve("registry").resolve("fashion-cnn"));

            ByteSearch disks = new ByteSearch(dir.resolve("kafka"), dataDir.resolve("index"), dataDir.resolve("registry"),
                    log);
            List<byte[]> erasedNeedles = erased.stream().flatMap(s -> Needles.of(s, samples).bytes().stream()).toList();
            List<byte[]> bystanderNeedles = bystanders.stream()
                    .flatMap(s -> Needles.of(s, samples).bytes().stream()).toList();
            List<SampleRecord> nudges = onePerPartition(bystanders, samples);
            long started = System.nanoTime();
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                resend(bootstrap, nudges);
                assertThat(disks.filesContainingAny(erasedNeedles)).as("files holding erased subjects' bytes").isEmpty();
            });
            double seconds = (System.nanoTime() - started) / 1e9;
            long erasedHits = disks.needlesFound(erasedNeedles);
            long bystanderHits = disks.needlesFound(bystanderNeedles);
            report(erasedNeedles.size(), erasedHits, bystanderNeedles.size(), bystanderHits, seconds);

            assertThat(erasedHits).as("erased subjects' ids and feature bytes found").isZero();
            assertThat(bystanderHits).as("bystanders' ids and feature bytes found (the search can find)")
                    .isEqualTo(bystanderNeedles.size());
            assertThat(daemon.isAlive()).isTrue();
        }
    }

    /** Retire-after is 1 s: version 1's artifact goes, with its audit event, and the API answers 410 Gone for it. */
    private static void assertVersionOneIsRetired(LetheProcess daemon, String bootstrap, Path registry) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(registry.resolve("v1.retired")).exists();
            assertThat(registry.resolve("v1.lethe")).doesNotExist();
            assertThat(ExactlyOnceVerdict.audit(bootstrap)).anyMatch(e -> e.type().equals(
                    EventTypes.MODEL_VERSION_RETIRED) && Long.valueOf(1).equals(e.modelVersion()));
        });
        assertThat(daemon.get("/models/1/artifact").statusCode()).isEqualTo(410);
        long current = ExactlyOnceVerdict.audit(bootstrap).stream().map(AuditEvent::modelVersion)
                .filter(java.util.Objects::nonNull).mapToLong(Long::longValue).max().orElseThrow();
        assertThat(current).as("versions published").isGreaterThanOrEqualTo(3);
        assertThat(daemon.get("/models/" + current + "/artifact").statusCode()).isEqualTo(200);
        assertThat(daemon.get("/models/" + (current - 1) + "/artifact").statusCode()).as("the parent is kept")
                .isEqualTo(200);
    }

    /** A bystander sample for each partition of the samples topic (the producer's own key hashing). */
    private static List<SampleRecord> onePerPartition(List<Fixture.Subject> bystanders, Map<String, SampleRecord> samples) {
        SampleRecord[] chosen = new SampleRecord[PARTITIONS];
        bystanders.stream().flatMap(s -> s.sampleIds().stream()).map(samples::get).forEach(r -> {
            int partition = Utils.toPositive(Utils.murmur2(SampleRecordWriter.key(r))) % PARTITIONS;
            chosen[partition] = chosen[partition] == null ? r : chosen[partition];
        });
        assertThat(chosen).as("a bystander sample in every partition").doesNotContainNull();
        return List.of(chosen);
    }

    /** Appends the same bystander samples again: nothing changes but each partition's active segment may roll. */
    private static void resend(String bootstrap, List<SampleRecord> records) {
        try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
            for (SampleRecord r : records) {
                producer.send(new ProducerRecord<>(Fixture.SAMPLES, SampleRecordWriter.key(r), SampleRecordWriter.encode(r)));
            }
            producer.flush();
        }
    }

    private static void report(int erasedNeedles, long erasedHits, int bystanderNeedles, long bystanderHits,
            double seconds) throws IOException {
        String text = String.format(java.util.Locale.ROOT, """
                # Remnant search (RemnantsIT)

                | searched for | needles | found |
                |---|---:|---:|
                | erased subjects: raw ids + feature bytes (topic base64, index float32) | %d | %d |
                | bystanders: the same | %d | %d |

                Erased bytes gone from broker logs, index, registry and daemon log %.1f s after the last
                erasure completed (windows: segment and compaction lag 2 s, request retention 5 s).
                """, erasedNeedles, erasedHits, bystanderNeedles, bystanderHits, seconds);
        Files.writeString(Fixture.OUT.resolve("remnants.md"), text, StandardCharsets.UTF_8);
        System.out.print(text);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] floatBytes(float[] f) {
        ByteBuffer buf = ByteBuffer.allocate(f.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(f);
        return buf.array();
    }
}
