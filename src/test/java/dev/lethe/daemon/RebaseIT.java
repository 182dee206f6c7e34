package dev.lethe.daemon;

import static dev.lethe.daemon.InProcessDaemons.audit;
import static dev.lethe.daemon.InProcessDaemons.readCommitted;
import static dev.lethe.daemon.InProcessDaemons.request;
import static dev.lethe.daemon.InProcessDaemons.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lethe.core.data.Sample;
import dev.lethe.core.events.AuditChain;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.daemon.config.LetheConfig;
import dev.lethe.daemon.demo.DemoData;
import dev.lethe.daemon.kafka.KafkaClients;
import dev.lethe.daemon.kafka.Records;
import dev.lethe.daemon.observe.LetheMetrics;
import dev.lethe.daemon.rebase.RebaseSetup;
import dev.lethe.testing.InJvmKafka;
import dev.lethe.testing.RetrainEvents;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rebasing onto a retrained model (issue 16 part 3, ADR 0015) against the in-JVM broker: a retrain
 * from a snapshot taken before an erasure is adopted only with that erasure re-applied; one from
 * after it is adopted as it is; an older one, a wrong checksum and unreadable bytes are refused or
 * dead-lettered; requests that arrive while a rebase runs wait and are unlearned on the new base.
 */
class RebaseIT {

    private static final Duration WAIT = InProcessDaemons.WAIT;

    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("rebase");
    static DemoData data;
    static Path initialModel;
    static String initialSha256;

    @BeforeAll
    static void dataAndModel() throws Exception {
        InProcessDaemons.Prepared prepared = InProcessDaemons.prepare(KAFKA.dir(), false);
        data = prepared.data();
        initialModel = prepared.model();
        initialSha256 = RetrainEvents.sha256(initialModel);
    }

    private LetheConfig config(String name) {
        // This test is about the lineage, not forgetting.
        Map<String, String> map = InProcessDaemons.passingGate();
        map.put("lethe.drift.max-accuracy-drop", "0");
        map.put("lethe.drift.max-erased-fraction", "0");
        return InProcessDaemons.config(KAFKA.bootstrapServers(), KAFKA.dir(), name, initialModel, map);
    }

    private static List<String> subjects() {
        return data.train().samples().stream().map(Sample::subjectId).distinct().sorted().toList();
    }

    private static int samplesOf(String subject) {
        return (int) data.train().samples().stream().filter(s -> s.subjectId().equals(subject)).count();
    }

    /** Where the training pipeline would snapshot lethe.samples now: every partition's end. */
    private static Map<Integer, Long> samplesEnd(LetheConfig config) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaClients(config).consumer("it-position", null)) {
            return RebaseSetup.endOffsets(c, config.topics().samples());
        }
    }

    private static void publishRetrain(LetheConfig config, String key, byte[] value) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaClients(config).producer("it-retrains")) {
            producer.send(new ProducerRecord<>(config.topics().retrains(), key == null ? null : Records.utf8(key), value));
            producer.flush();
        }
    }

    private static void publishRetrain(LetheConfig config, String id, Map<Integer, Long> position, String sha256) {
        String model = config.model().name();
        publishRetrain(config, model, RetrainEvents.json(id, model, initialModel, sha256, "lethe", position)
                .getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<AuditEvent> auditOf(LetheConfig config, String id, String type) {
        return audit(config).stream().filter(e -> e.requestId().equals(id) && e.type().equals(type)).findFirst();
    }

    private static AuditEvent awaitAudit(LetheConfig config, String id, String type) {
        return await().atMost(WAIT).until(() -> auditOf(config, id, type), Optional::isPresent).orElseThrow();
    }

    private static List<ModelVersionEvent> versions(LetheConfig config) {
        return readCommitted(config, config.topics().modelVersions()).stream()
                .map(r -> CloudEventJson.modelVersionOf(CloudEventJson.parse(r.value()).data())).toList();
    }

    private static ModelVersionEvent version(LetheConfig config, long v) {
        return versions(config).stream().filter(e -> e.version() == v).findFirst().orElseThrow();
    }

    @Test
    void aRetrainThatMissedAnErasureIsAdoptedOnlyWithTheErasureReapplied() {
        LetheConfig config = config("rebase-main");
        InProcessDaemons.publishSamples(config, data);
        Map<Integer, Long> beforeErasure = samplesEnd(config);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        LetheDaemon daemon = InProcessDaemons.start(config, meters);
        try {
            String first = subjects().get(0);
            send(config, first, request("r-1", first));
            AuditEvent completed = awaitAudit(config, "r-1", EventTypes.DELETION_COMPLETED);
            assertThat(completed.modelVersion()).isEqualTo(2L);

            // A retrain from a snapshot taken before r-1's tombstones: it still holds the subject.
            publishRetrain(config, "retrain-stale", beforeErasure, initialSha256);
            AuditEvent rebased = awaitAudit(config, "retrain-stale", EventTypes.MODEL_REBASED);
            ModelVersionEvent base = version(config, rebased.modelVersion());
            assertThat(base.version()).isEqualTo(3);
            assertThat(base.parentVersion()).as("a new base").isNull();
            assertThat(base.rebase().retrainId()).isEqualTo("retrain-stale");
            assertThat(base.rebase().samplesPosition()).isEqualTo(beforeErasure);
            assertThat(base.requestIds()).as("the erasure it missed, re-applied").containsExactly("r-1");
            assertThat(base.samplesForgotten()).isEqualTo(samplesOf(first));
            assertThat(base.sha256()).as("unlearned, not the retrain as it came").isNotEqualTo(initialSha256);
            assertThat(rebased.samplesForgotten()).isEqualTo(samplesOf(first));
            assertThat(rebased.mia()).isNotNull();
            assertThat(daemon.registry().orElseThrow().currentVersion().orElseThrow().version()).isEqualTo(3);

            // Erasures go on from the new base.
            String second = subjects().get(1);
            send(config, second, request("r-2", second));
            AuditEvent next = awaitAudit(config, "r-2", EventTypes.DELETION_COMPLETED);
            assertThat(version(config, next.modelVersion()).parentVersion()).isEqualTo(3L);

            // A retrain from after both erasures honours them: adopted as it is.
            Map<Integer, Long> afterBoth = samplesEnd(config);
            publishRetrain(config, "retrain-fresh", afterBoth, initialSha256);
            AuditEvent fresh = awaitAudit(config, "retrain-fresh", EventTypes.MODEL_REBASED);
            ModelVersionEvent freshBase = version(config, fresh.modelVersion());
            assertThat(freshBase.requestIds()).isEmpty();
            assertThat(freshBase.sha256()).isEqualTo(initialSha256);
            assertThat(freshBase.parentVersion()).isNull();

            // Older than the base, a wrong checksum, not an event at all: refused or dead-lettered.
            publishRetrain(config, "retrain-older", beforeErasure, initialSha256);
            assertThat(awaitAudit(config, "retrain-older", EventTypes.MODEL_REBASE_REFUSED).reason()).contains("older");
            Map<Integer, Long> latest = samplesEnd(config);
            publishRetrain(config, "retrain-tampered", latest, "0".repeat(64));
            assertThat(awaitAudit(config, "retrain-tampered", EventTypes.MODEL_REBASE_REFUSED).reason())
                    .contains("cannot be used");
            byte[] junk = new byte[300];
            new Random(7).nextBytes(junk);
            publishRetrain(config, config.model().name(), junk);
            await().atMost(WAIT).until(() -> readCommitted(config, config.topics().retrainsDlq()).size() == 1);
            assertThat(daemon.registry().orElseThrow().currentVersion().orElseThrow().version())
                    .isEqualTo(freshBase.version());
            assertThat(meters.counter(LetheMetrics.REBASES, "outcome", "adopted").count()).isEqualTo(2.0);
            assertThat(meters.counter(LetheMetrics.REBASES, "outcome", "refused").count()).isEqualTo(2.0);
            assertThat(meters.counter(LetheMetrics.REBASES, "outcome", "dead_lettered").count()).isEqualTo(1.0);
        } finally {
            daemon.close();
        }
        assertThat(AuditChain.verify(audit(config)).ok()).isTrue();
        assertThat(versions(config)).extracting(ModelVersionEvent::version).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void requestsThatArriveDuringARebaseWaitAndAreUnlearnedOnTheNewBase() {
        LetheConfig config = config("rebase-wait");
        InProcessDaemons.publishSamples(config, data);
        Map<Integer, Long> beforeErasure = samplesEnd(config);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        LetheDaemon daemon = InProcessDaemons.start(config, meters);
        try {
            String first = subjects().get(2);
            send(config, first, request("w-1", first));
            awaitAudit(config, "w-1", EventTypes.DELETION_COMPLETED);
            publishRetrain(config, "retrain-w", beforeErasure, initialSha256);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(5))
                    .until(() -> meters.get(LetheMetrics.REBASE_IN_PROGRESS).gauge().value() == 1.0);
            String waiting = subjects().get(3);
            send(config, waiting, request("w-2", waiting));
            AuditEvent rebased = awaitAudit(config, "retrain-w", EventTypes.MODEL_REBASED);
            AuditEvent completed = awaitAudit(config, "w-2", EventTypes.DELETION_COMPLETED);
            assertThat(completed.modelVersion()).isGreaterThan(rebased.modelVersion());
            assertThat(version(config, completed.modelVersion()).parentVersion()).isEqualTo(rebased.modelVersion());
            assertThat(version(config, rebased.modelVersion()).requestIds()).containsExactly("w-1");
        } finally {
            daemon.close();
        }
    }
}
