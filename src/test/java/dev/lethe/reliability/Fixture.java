package dev.lethe.reliability;

import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.requests.RocksSubjectIndex;
import dev.lethe.core.events.SampleRecordWriter;
import dev.lethe.daemon.kafka.TopicReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the reliability suite shares: a small trained model (made once by the packaged jar's
 * {@code train} command), a generated population of data subjects with samples, Kafka clients
 * that read committed data only, and the daemon settings of a plumbing test (tiny unlearning,
 * permissive gate).
 */
final class Fixture {

    static final String SECRET = "reliability-suite-hmac-secret-0123456789";
    static final String SAMPLES = "lethe.samples";
    static final String REQUESTS = "lethe.deletion-requests";
    static final String VERSIONS = "lethe.model-versions";
    static final String AUDIT = "lethe.audit";
    static final String REQUESTS_DLQ = "lethe.deletion-requests.dlq";
    static final String SAMPLES_DLQ = "lethe.samples.dlq";
    static final int[] SHAPE = {1, 28, 28};
    static final Duration READ = Duration.ofSeconds(60);
    static final Path OUT = Path.of("target", "reliability");
    /** Every generated subject id contains this, so one search finds any of them. */
    static final String SUBJECT_MARK = "person-";

    private Fixture() {
    }

    /** A small CNN trained for one epoch on generated images: the plumbing does not need a good model. */
    static synchronized Path model() throws IOException, InterruptedException {
        Path model = OUT.resolve("model.lethe");
        if (Files.isRegularFile(model)) {
            return model;
        }
        Files.createDirectories(OUT);
        Process train = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", LetheProcess.JAR.toString(), "train", "--out", model.toString(),
                "--fashion-mnist-dir", "/nonexistent", "--train-size", "300", "--holdout-size", "50", "--epochs", "1")
                .redirectErrorStream(true).redirectOutput(OUT.resolve("train.log").toFile()).start();
        if (!train.waitFor(5, TimeUnit.MINUTES) || train.exitValue() != 0) {
            train.destroyForcibly();
            throw new IllegalStateException("lethe train failed; see " + OUT.resolve("train.log"));
        }
        return model;
    }

    /** The daemon's subject index under {@code dataDir}, opened with the daemon's pseudonym key (stop the daemon first). */
    static RocksSubjectIndex openIndex(Path dataDir) {
        return RocksSubjectIndex.open(dataDir.resolve("index"), Pseudonymizer.fromUtf8(SECRET));
    }

    /** The daemon settings every test starts from. */
    static Map<String, String> daemonProperties(String bootstrap, Path dataDir, Path model) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("lethe.kafka.bootstrap-servers", bootstrap);
        p.put("lethe.data-dir", dataDir.toString());
        p.put("lethe.model.initial-path", model.toString());
        p.put("lethe.audit.hmac-secret", SECRET);
        // No session-timeout override: with static membership (group.instance.id) a restarted
        // daemon takes its request partitions back at once, although the killed one never left.
        p.put("lethe.batch.linger", "1s");
        p.put("lethe.batch.max-samples", "60");
        p.put("lethe.unlearning.max-steps", "2");
        p.put("lethe.unlearning.retain-batch", "8");
        p.put("lethe.unlearning.stop", "budget");
        p.put("lethe.ingest.retain-size", "128");
        p.put("lethe.ingest.holdout-size", "64");
        p.put("lethe.verify.gate", "absolute");
        // This suite tests plumbing, not forgetting: a gate every batch passes.
        p.put("lethe.verify.mia-threshold", "1.0");
        p.put("lethe.verify.forget-accuracy-tolerance", "1.0");
        p.put("lethe.verify.max-accuracy-drop", "1.0");
        return p;
    }

    /** A data subject and its sample ids (none for a subject Lethe never saw). */
    record Subject(String id, List<String> sampleIds) {
    }

    /** A generated population: train subjects with samples, subjects without, and holdout samples. */
    record Population(List<Subject> subjects, List<SampleRecord> records) {

        static Population generate(long seed, int subjects, int withSamples, int minSamples, int maxSamples,
                int holdout) {
            Random rng = new Random(seed);
            List<Subject> list = new ArrayList<>();
            List<SampleRecord> records = new ArrayList<>();
            for (int i = 0; i < subjects; i++) {
                // Ids that cannot occur by chance in a log line or a hash.
                String id = String.format("person-%04d-%08x", i, rng.nextInt());
                List<String> ids = new ArrayList<>();
                if (i < withSamples) {
                    int n = minSamples + rng.nextInt(maxSamples - minSamples + 1);
                    for (int k = 0; k < n; k++) {
                        String sampleId = "s" + i + "-" + k;
                        ids.add(sampleId);
                        records.add(new SampleRecord(sampleId, id, rng.nextInt(10), SampleRecord.TRAIN, SHAPE,
                                features(rng)));
                    }
                }
                list.add(new Subject(id, List.copyOf(ids)));
            }
            for (int k = 0; k < holdout; k++) {
                records.add(new SampleRecord("h" + k, String.format("holdout-person-%04d", k), rng.nextInt(10),
                        SampleRecord.HOLDOUT, SHAPE, features(rng)));
            }
            Collections.shuffle(records, rng);
            return new Population(List.copyOf(list), List.copyOf(records));
        }

        Map<String, Subject> byId() {
            Map<String, Subject> m = new HashMap<>();
            subjects.forEach(s -> m.put(s.id(), s));
            return m;
        }

        void publish(String bootstrap) {
            try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
                for (SampleRecord r : records) {
                    producer.send(new ProducerRecord<>(SAMPLES, SampleRecordWriter.key(r), SampleRecordWriter.encode(r)));
                }
                producer.flush();
            }
        }
    }

    static float[] features(Random rng) {
        float[] f = new float[SHAPE[0] * SHAPE[1] * SHAPE[2]];
        for (int i = 0; i < f.length; i++) {
            f[i] = rng.nextFloat();
        }
        return f;
    }

    static String requestJson(String requestId, String subjectId) {
        return "{\"requestId\":\"" + requestId + "\",\"subjectId\":\"" + subjectId + "\"}";
    }

    static ProducerRecord<byte[], byte[]> request(String requestId, String subjectId) {
        return new ProducerRecord<>(REQUESTS, utf8(subjectId), utf8(requestJson(requestId, subjectId)));
    }

    /** Sends a request {@code prefix-i} for each subject and records it as valid. */
    static void sendRequests(KafkaProducer<byte[], byte[]> producer, Map<String, String> requestSubject, String prefix,
            List<Subject> subjects) {
        for (int i = 0; i < subjects.size(); i++) {
            String id = prefix + "-" + i;
            requestSubject.put(id, subjects.get(i).id());
            producer.send(request(id, subjects.get(i).id()));
        }
        producer.flush();
    }

    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Every committed record of a topic. */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap)) {
            return TopicReader.readAll(c, topic, READ);
        }
    }

    static void awaitReady(LetheProcess p) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    org.assertj.core.api.Assertions.assertThat(p.isAlive()).as("daemon process alive").isTrue();
                    return p.isReady();
                });
    }

    /**
     * Waits until the daemon has indexed at least the population's train samples
     * ({@code lethe_index_samples} on {@code /q/metrics}).
     */
    static void awaitIndexed(LetheProcess p, Population population) {
        long train = population.records().stream().filter(r -> SampleRecord.TRAIN.equals(r.split())).count();
        java.util.regex.Pattern gauge = java.util.regex.Pattern.compile("(?m)^lethe_index_samples(\\{[^}]*\\})? ([0-9.eE+-]+)$");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> {
                    java.util.regex.Matcher m = gauge.matcher(p.get("/q/metrics").body());
                    return m.find() && Double.parseDouble(m.group(2)) >= train;
                });
    }

    /** Waits until every id has a terminal audit event. */
    static void awaitTerminal(String bootstrap, java.util.Collection<String> requestIds, Duration timeout) {
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofSeconds(1))
                .until(() -> ExactlyOnceVerdict.terminalCounts(ExactlyOnceVerdict.audit(bootstrap)).keySet()
                        .containsAll(requestIds));
    }
}
