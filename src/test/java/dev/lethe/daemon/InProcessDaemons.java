package dev.lethe.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.djl.Device;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.NetworkCodec;
import dev.lethe.daemon.config.LetheConfig;
import dev.lethe.daemon.config.LetheConfigs;
import dev.lethe.daemon.demo.DemoData;
import dev.lethe.daemon.kafka.KafkaClients;
import dev.lethe.daemon.kafka.TopicReader;
import dev.lethe.daemon.kafka.TopicSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the ITs that run {@link LetheDaemon} inside the test's JVM share: a small model trained on
 * synthetic images, the daemon's settings for one test (its own topics and data folder), starting
 * it, feeding its input topics and reading its output topics as a consumer would.
 */
final class InProcessDaemons {

    static final Duration WAIT = Duration.ofSeconds(120);

    private InProcessDaemons() {
    }

    /**
     * The data and the initial model of a test class.
     *
     * @param djlModel the same model as DJL saves it (for the start-up path that takes DJL files), or null
     */
    record Prepared(DemoData data, Path model, Path djlModel) {
    }

    /** Synthetic images (fast, independent of the Debian package) and a CNN trained on them, saved in {@code dir}. */
    static Prepared prepare(Path dir, boolean alsoAsDjlFile) throws Exception {
        DemoData data = DemoData.prepare(dir.resolve("no-fashion-mnist"), 300, 200, 7, s -> { });
        try (Network network = data.trainInitialModel(Architecture.CNN, Device.cpu(), 12, 7, s -> { })) {
            Path model = dir.resolve("initial.lethe");
            try (OutputStream out = Files.newOutputStream(model)) {
                NetworkCodec.write(network, out);
            }
            if (!alsoAsDjlFile) {
                return new Prepared(data, model, null);
            }
            try (ai.djl.Model djl = ai.djl.Model.newInstance("initial")) {
                djl.setBlock(network.block());
                djl.save(dir, "initial");
            }
            return new Prepared(data, model, dir.resolve("initial-0000.params"));
        }
    }

    /** Settings for a daemon named {@code name}: topics {@code name.*}, data in {@code dir}, then {@code extra}. */
    static LetheConfig config(String bootstrapServers, Path dir, String name, Path initialModel,
                              Map<String, String> extra) {
        Map<String, String> map = new HashMap<>();
        map.put("lethe.kafka.bootstrap-servers", bootstrapServers);
        map.put("lethe.data-dir", dir.resolve(name + "-data").toString());
        map.put("lethe.model.name", name);
        map.put("lethe.model.initial-path", initialModel.toString());
        map.put("lethe.topics.samples", name + ".samples");
        map.put("lethe.topics.deletion-requests", name + ".deletion-requests");
        map.put("lethe.topics.model-versions", name + ".model-versions");
        map.put("lethe.topics.audit", name + ".audit");
        map.put("lethe.topics.deletion-requests-dlq", name + ".deletion-requests.dlq");
        map.put("lethe.topics.samples-dlq", name + ".samples.dlq");
        map.put("lethe.topics.retrains", name + ".retrains");
        map.put("lethe.topics.retrains-dlq", name + ".retrains.dlq");
        map.put("lethe.ingest.retain-size", "100");
        map.put("lethe.ingest.holdout-size", "200");
        map.put("lethe.audit.hmac-secret", "integration-test-secret-0123456789");
        map.putAll(extra);
        return LetheConfigs.of(map);
    }

    /**
     * Settings of a test about plumbing, not forgetting: batches after 1 s, at most 10 steps, and a
     * gate that passes every batch (the calibrated one escalates single-subject batches as
     * insufficient evidence, ADR 0012). Mutable: a test adds its own.
     */
    static Map<String, String> passingGate() {
        Map<String, String> map = new HashMap<>();
        map.put("lethe.batch.linger", "1s");
        map.put("lethe.unlearning.max-steps", "10");
        map.put("lethe.verify.gate", "absolute");
        map.put("lethe.verify.mia-threshold", "1.0");
        map.put("lethe.verify.forget-accuracy-tolerance", "1.0");
        map.put("lethe.verify.max-accuracy-drop", "1.0");
        return map;
    }

    /** Starts a daemon and waits until it is ready; fails the test if it fails instead. */
    static LetheDaemon start(LetheConfig config, SimpleMeterRegistry meters) {
        LetheDaemon daemon = new LetheDaemon(config, meters, Clock.systemUTC());
        daemon.start();
        await().atMost(WAIT).until(() -> daemon.isReady() || daemon.state().failure().isPresent());
        assertThat(daemon.state().failure()).isEmpty();
        return daemon;
    }

    /** Creates the daemon's topics and publishes the train and holdout samples of {@code data}. */
    static void publishSamples(LetheConfig config, DemoData data) {
        try (Admin admin = new KafkaClients(config).admin()) {
            TopicSetup.createMissing(admin, config);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaClients(config).producer("it-samples")) {
            DemoData.publish(producer, config.topics().samples(), data.train(), SampleRecord.TRAIN);
            DemoData.publish(producer, config.topics().samples(), data.holdout(), SampleRecord.HOLDOUT);
        }
    }

    /** One record on the deletion-requests topic, as given (null key or value allowed). */
    static void send(LetheConfig config, String key, String value) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaClients(config).producer("it-requests")) {
            producer.send(new ProducerRecord<>(config.topics().deletionRequests(),
                    key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                    value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }
    }

    /** A deletion request's JSON. */
    static String request(String requestId, String subjectId) {
        return "{\"requestId\":\"" + requestId + "\",\"subjectId\":\"" + subjectId + "\"}";
    }

    /** Every committed record of {@code topic}. */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(LetheConfig config, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaClients(config).consumer("it-reader", null)) {
            return TopicReader.readAll(consumer, topic, WAIT);
        }
    }

    /** The audit topic's events, in order. */
    static List<AuditEvent> audit(LetheConfig config) {
        List<AuditEvent> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readCommitted(config, config.topics().audit())) {
            events.add(CloudEventJson.auditEventOf(CloudEventJson.parse(r.value())));
        }
        return events;
    }
}
