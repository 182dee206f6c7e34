package dev.lethe.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.djl.Device;
import dev.lethe.core.data.Sample;
import dev.lethe.core.events.AuditChain;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.NetworkCodec;
import dev.lethe.daemon.config.LetheConfig;
import dev.lethe.daemon.config.LetheConfigs;
import dev.lethe.daemon.demo.DemoData;
import dev.lethe.daemon.kafka.EmbeddedKafka;
import dev.lethe.daemon.kafka.KafkaClients;
import dev.lethe.daemon.kafka.TopicReader;
import dev.lethe.daemon.kafka.TopicSetup;
import dev.lethe.daemon.observe.LetheMetrics;
import dev.lethe.daemon.requests.DriftWatch;
import io.micrometer.core.instrument.Counter;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drift budget against the in-JVM KRaft broker: one retrain.required per base, across restarts. */
class DriftBudgetIT {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    static Path tmp;
    static EmbeddedKafka kafka;
    static DemoData data;
    static Path initialModel;

    @BeforeAll
    static void brokerDataAndModel() throws Exception {
        kafka = EmbeddedKafka.start(0, tmp.resolve("kafka"));
        data = DemoData.prepare(tmp.resolve("no-fashion-mnist"), 300, 200, 7, s -> { });
        try (Network network = data.trainInitialModel(Architecture.CNN, Device.cpu(), 12, 7, s -> { })) {
            initialModel = tmp.resolve("initial.lethe");
            try (OutputStream out = Files.newOutputStream(initialModel)) {
                NetworkCodec.write(network, out);
            }
        }
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private LetheConfig config(String name, String maxErasedFraction) {
        Map<String, String> map = new HashMap<>();
        map.put("lethe.kafka.bootstrap-servers", kafka.bootstrapServers());
        map.put("lethe.data-dir", tmp.resolve(name + "-data").toString());
        map.put("lethe.model.name", name);
        map.put("lethe.model.initial-path", initialModel.toString());
        for (String t : List.of("samples", "deletion-requests", "model-versions", "audit", "deletion-requests-dlq",
                "samples-dlq")) {
            map.put("lethe.topics." + t, name + "." + t);
        }
        map.put("lethe.batch.linger", "1s");
        map.put("lethe.unlearning.max-steps", "10");
        map.put("lethe.ingest.retain-size", "100");
        map.put("lethe.ingest.holdout-size", "200");
        map.put("lethe.audit.hmac-secret", "integration-test-secret-0123456789");
        // A permissive gate: this test is about the budget, not the gate.
        // This test is about the drift budget: a gate that passes every batch (the calibrated one
        // escalates single-subject batches as insufficient evidence, ADR 0012).
        map.put("lethe.verify.gate", "absolute");
        map.put("lethe.verify.mia-threshold", "1.0");
        map.put("lethe.verify.forget-accuracy-tolerance", "1.0");
        map.put("lethe.verify.max-accuracy-drop", "1.0");
        map.put("lethe.drift.max-accuracy-drop", "0");
        map.put("lethe.drift.max-erased-fraction", maxErasedFraction);
        return LetheConfigs.of(map);
    }

    private static LetheDaemon start(LetheConfig config, SimpleMeterRegistry meters) {
        LetheDaemon daemon = new LetheDaemon(config, meters, Clock.systemUTC());
        daemon.start();
        await().atMost(WAIT).until(() -> daemon.isReady() || daemon.state().failure().isPresent());
        assertThat(daemon.state().failure()).isEmpty();
        return daemon;
    }

    private static void publishSamples(LetheConfig config) {
        try (Admin admin = new KafkaClients(config).admin()) {
            TopicSetup.createMissing(admin, config);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaClients(config).producer("it-samples")) {
            DemoData.publish(producer, config.topics().samples(), data.train(), SampleRecord.TRAIN);
            DemoData.publish(producer, config.topics().samples(), data.holdout(), SampleRecord.HOLDOUT);
        }
    }

    private static void erase(LetheConfig config, String requestId, String subject) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaClients(config).producer("it-requests")) {
            producer.send(new ProducerRecord<>(config.topics().deletionRequests(), subject.getBytes(StandardCharsets.UTF_8),
                    ("{\"requestId\":\"" + requestId + "\",\"subjectId\":\"" + subject + "\"}")
                            .getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }
        await().atMost(WAIT).until(() -> audit(config).stream().anyMatch(
                e -> e.requestId().equals(requestId) && e.type().equals(EventTypes.DELETION_COMPLETED)));
    }

    private static List<AuditEvent> audit(LetheConfig config) {
        List<AuditEvent> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaClients(config).consumer("it-reader", null)) {
            for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(consumer, config.topics().audit(), WAIT)) {
                events.add(CloudEventJson.auditEventOf(CloudEventJson.parse(r.value())));
            }
        }
        return events;
    }

    private static List<AuditEvent> budgetEvents(LetheConfig config) {
        return audit(config).stream().filter(e -> e.type().equals(EventTypes.RETRAIN_REQUIRED)
                && e.requestId().equals(DriftWatch.requestId(config.model().name(), 1))).toList();
    }

    private static double gauge(SimpleMeterRegistry meters, String name) {
        return meters.get(name).gauge().value();
    }

    private static double budgetCounter(SimpleMeterRegistry meters) {
        Counter c = meters.find(LetheMetrics.RETRAIN_REQUIRED).tag("reason", "budget").counter();
        return c == null ? 0 : c.count();
    }

    private static List<String> subjects() {
        return data.train().samples().stream().map(Sample::subjectId).distinct().sorted().toList();
    }

    @Test
    void pastTheErasedShareBudgetOneRetrainRequiredIsPublishedAndNeverAgainAfterARestart() {
        // ~500 indexed samples: one subject (5–15 samples) is past 1 %.
        LetheConfig config = config("drift", "0.01");
        publishSamples(config);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        LetheDaemon daemon = start(config, meters);
        try {
            assertThat(gauge(meters, LetheMetrics.DRIFT_BUDGET_EXCEEDED)).isZero();
            erase(config, "r-1", subjects().get(0));
            await().atMost(WAIT).until(() -> budgetEvents(config).size() == 1);
            erase(config, "r-2", subjects().get(1));
            assertThat(gauge(meters, LetheMetrics.DRIFT_BUDGET_EXCEEDED)).isEqualTo(1.0);
            assertThat(gauge(meters, LetheMetrics.DRIFT_ERASED_FRACTION)).isGreaterThan(0.01);
            assertThat(budgetCounter(meters)).isEqualTo(1.0);
        } finally {
            daemon.close();
        }
        SimpleMeterRegistry again = new SimpleMeterRegistry();
        LetheDaemon restarted = start(config, again);
        try {
            erase(config, "r-3", subjects().get(2));
            assertThat(gauge(again, LetheMetrics.DRIFT_BUDGET_EXCEEDED)).isEqualTo(1.0);
            assertThat(budgetCounter(again)).isZero();
        } finally {
            restarted.close();
        }
        List<AuditEvent> events = budgetEvents(config);
        assertThat(events).hasSize(1);
        AuditEvent e = events.get(0);
        assertThat(e.reason()).startsWith("budget: erased share").contains("base version 1");
        assertThat(e.samplesForgotten()).isPositive();
        assertThat(AuditChain.verify(audit(config)).ok()).isTrue();
    }

    @Test
    void aBudgetCrossedWhileItWasNotYetPublishedIsPublishedOnStart() {
        LetheConfig off = config("drift-late", "0");
        publishSamples(off);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        LetheDaemon daemon = start(off, meters);
        try {
            erase(off, "r-late-1", subjects().get(0));
            assertThat(budgetEvents(off)).isEmpty();
        } finally {
            daemon.close();
        }
        // The same lineage under a budget it already exceeds: published on start, once.
        LetheConfig on = config("drift-late", "0.01");
        SimpleMeterRegistry again = new SimpleMeterRegistry();
        LetheDaemon restarted = start(on, again);
        try {
            await().atMost(WAIT).until(() -> budgetEvents(on).size() == 1);
            assertThat(gauge(again, LetheMetrics.DRIFT_BUDGET_EXCEEDED)).isEqualTo(1.0);
            assertThat(budgetCounter(again)).isEqualTo(1.0);
        } finally {
            restarted.close();
        }
        assertThat(budgetEvents(on)).hasSize(1);
    }
}
