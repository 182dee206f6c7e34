package dev.lethe.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.lethe.daemon.InProcessDaemons.audit;
import static dev.lethe.daemon.InProcessDaemons.readCommitted;
import static dev.lethe.daemon.InProcessDaemons.request;
import static dev.lethe.daemon.InProcessDaemons.send;
import static org.awaitility.Awaitility.await;

import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.events.AuditChain;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.CloudEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.daemon.config.LetheConfig;
import dev.lethe.daemon.demo.DemoData;
import dev.lethe.daemon.ingest.SampleIngestor;
import dev.lethe.daemon.kafka.KafkaClients;
import dev.lethe.testing.InJvmKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon end to end against a real broker: samples in, deletion requests in, model versions,
 * audit events, tombstones and dead letters out — then a restart on the same data. Subclasses
 * bring the broker: the in-JVM KRaft node ({@link DaemonIT}) or a container
 * ({@link DaemonContainerIT}, skipped without Docker).
 */
abstract class DaemonEndToEnd {

    private static final Duration WAIT = InProcessDaemons.WAIT;

    @TempDir
    static Path tmp;
    static DemoData data;
    static Path initialModel;
    static Path initialDjlModel;

    /** The broker's bootstrap servers. */
    abstract String bootstrapServers();

    @BeforeAll
    static void dataAndModel() throws Exception {
        InJvmKafka.quietBrokerLogs(); // the container's subclass has no InJvmKafka to do it
        InProcessDaemons.Prepared prepared = InProcessDaemons.prepare(tmp, true);
        data = prepared.data();
        initialModel = prepared.model();
        initialDjlModel = prepared.djlModel();
    }

    private LetheConfig config(String name, Map<String, String> extra) {
        Map<String, String> map = new HashMap<>(Map.of("lethe.batch.linger", "2s", "lethe.unlearning.max-steps", "20"));
        map.putAll(extra);
        return InProcessDaemons.config(bootstrapServers(), tmp, name, initialModel, map);
    }

    private static LetheDaemon startDaemon(LetheConfig config) {
        return InProcessDaemons.start(config, new SimpleMeterRegistry());
    }

    private static void publishSamples(LetheConfig config) {
        InProcessDaemons.publishSamples(config, data);
    }

    private static Map<String, List<AuditEvent>> terminalByRequest(List<AuditEvent> events) {
        Map<String, List<AuditEvent>> terminal = new LinkedHashMap<>();
        for (AuditEvent e : events) {
            if (Set.of(EventTypes.DELETION_COMPLETED, EventTypes.DELETION_ESCALATED).contains(e.type())) {
                terminal.computeIfAbsent(e.requestId(), k -> new ArrayList<>()).add(e);
            }
        }
        return terminal;
    }

    private static List<ModelVersionEvent> versions(LetheConfig config) {
        List<ModelVersionEvent> versions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readCommitted(config, config.topics().modelVersions())) {
            CloudEvent event = CloudEventJson.parse(r.value());
            versions.add(CloudEventJson.modelVersionOf(event.data()));
        }
        return versions;
    }

    private static List<String> subjects(SampleSet set) {
        return set.samples().stream().map(Sample::subjectId).distinct().sorted().toList();
    }

    private static Set<String> sampleIdsOf(String subject) {
        return data.train().samples().stream().filter(s -> s.subjectId().equals(subject)).map(Sample::sampleId)
                .collect(Collectors.toSet());
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void requestsBecomeOneVerifiedVersionWithAuditTombstonesAndDeadLettersAndSurviveARestart() throws Exception {
        // A permissive gate: this test is about the plumbing; the gate's refusal has its own test.
        LetheConfig config = config("e2e", Map.of("lethe.verify.gate", "absolute", "lethe.verify.mia-threshold", "1.0",
                "lethe.verify.forget-accuracy-tolerance", "1.0", "lethe.verify.max-accuracy-drop", "1.0"));
        publishSamples(config);
        List<String> subjects = subjects(data.train());
        String alice = subjects.get(0);
        String bob = subjects.get(1);
        String carol = subjects.get(2);

        LetheDaemon daemon = startDaemon(config);
        try {
            await().atMost(WAIT).until(() -> daemon.registry().isPresent());
            send(config, alice, request("r-alice", alice));
            send(config, bob, request("r-bob", bob));
            send(config, alice, request("r-alice", alice)); // duplicate
            send(config, "nobody-at-all", request("r-nobody", "nobody-at-all"));
            send(config, null, "{not json");
            send(config, "x", "{\"requestId\":\"r-no-subject\"}");

            await().atMost(WAIT).until(() -> terminalByRequest(audit(config)).size() >= 3);
        } finally {
            daemon.close();
        }

        List<AuditEvent> events = audit(config);
        Map<String, List<AuditEvent>> terminal = terminalByRequest(events);
        assertThat(terminal.keySet()).containsExactlyInAnyOrder("r-alice", "r-bob", "r-nobody");
        terminal.values().forEach(list -> assertThat(list).hasSize(1));
        AuditEvent aliceDone = terminal.get("r-alice").get(0);
        assertThat(aliceDone.type()).isEqualTo(EventTypes.DELETION_COMPLETED);
        assertThat(aliceDone.samplesForgotten()).isEqualTo(sampleIdsOf(alice).size());
        assertThat(aliceDone.modelVersion()).isEqualTo(2L);
        assertThat(aliceDone.mia().passed()).isTrue();
        assertThat(terminal.get("r-nobody").get(0).samplesForgotten()).isZero();
        assertThat(AuditChain.verify(events).ok()).isTrue();
        String auditText = readCommitted(config, config.topics().audit()).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).collect(Collectors.joining("\n"));
        assertThat(auditText).doesNotContain(alice, bob, "nobody-at-all");

        List<ModelVersionEvent> versions = versions(config);
        assertThat(versions).extracting(ModelVersionEvent::version).containsExactly(1L, 2L);
        assertThat(versions.get(1).parentVersion()).isEqualTo(1L);
        assertThat(versions.get(1).requestIds()).contains("r-alice", "r-bob");
        for (ModelVersionEvent v : versions) {
            assertThat(sha256(Path.of(java.net.URI.create(v.artifactUri())))).isEqualTo(v.sha256());
        }

        Set<String> tombstoned = readCommitted(config, config.topics().samples()).stream()
                .filter(r -> r.value() == null).map(r -> new String(r.key(), StandardCharsets.UTF_8))
                .collect(Collectors.toSet());
        Set<String> forgotten = new java.util.HashSet<>(sampleIdsOf(alice));
        forgotten.addAll(sampleIdsOf(bob));
        assertThat(tombstoned).isEqualTo(forgotten);

        List<ConsumerRecord<byte[], byte[]>> dead = readCommitted(config, config.topics().deletionRequestsDlq());
        assertThat(dead).hasSize(2);
        dead.forEach(r -> assertThat(r.headers().lastHeader(EventTypes.DEAD_LETTER_REASON)).isNotNull());

        // Restart on the same data: the version, the erased subjects and the finished ids survive.
        LetheDaemon again = startDaemon(config);
        try {
            assertThat(again.registry().orElseThrow().currentVersion().orElseThrow().version()).isEqualTo(2L);
            send(config, alice, request("r-alice", alice)); // already done: must not run again
            Sample late = new Sample("late-sample-of-alice", alice, 3, data.train().get(0).features());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaClients(config).producer("it-late")) {
                DemoData.publish(producer, config.topics().samples(),
                        new SampleSet(List.of(late), data.train().shape(), data.train().numClasses()), SampleRecord.TRAIN);
            }
            send(config, carol, request("r-carol", carol));
            await().atMost(WAIT).until(() -> terminalByRequest(audit(config)).containsKey("r-carol"));
            await().atMost(WAIT).until(() -> audit(config).stream().anyMatch(
                    e -> e.requestId().equals(SampleIngestor.REFUSED_REQUEST_PREFIX + "late-sample-of-alice")));
        } finally {
            again.close();
        }
        List<AuditEvent> after = audit(config);
        Map<String, List<AuditEvent>> terminalAfter = terminalByRequest(after);
        assertThat(terminalAfter.get("r-alice")).hasSize(1);
        assertThat(terminalAfter.get("r-carol")).hasSize(1);
        assertThat(terminalAfter.get("r-carol").get(0).modelVersion()).isEqualTo(3L);
        assertThat(AuditChain.verify(after).ok()).isTrue();
        assertThat(versions(config)).extracting(ModelVersionEvent::version).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aBatchThatFailsVerificationIsEscalatedAndPublishesNoVersionStartingFromADjlModelFile() throws Exception {
        // No model can reach an attack AUC of 0.001: the gate must refuse, whatever the data.
        LetheConfig config = config("gate", Map.of("lethe.verify.gate", "absolute", "lethe.verify.mia-threshold", "0.001",
                "lethe.model.initial-path", initialDjlModel.toString()));
        publishSamples(config);
        String subject = subjects(data.train()).get(3);
        LetheDaemon daemon = startDaemon(config);
        try {
            send(config, subject, request("r-gate", subject));
            await().atMost(WAIT).until(() -> terminalByRequest(audit(config)).containsKey("r-gate"));
        } finally {
            daemon.close();
        }
        List<AuditEvent> events = audit(config);
        AuditEvent escalated = terminalByRequest(events).get("r-gate").get(0);
        assertThat(escalated.type()).isEqualTo(EventTypes.DELETION_ESCALATED);
        assertThat(escalated.mia().passed()).isFalse();
        assertThat(escalated.reason()).contains("membership attack AUC");
        assertThat(events).anyMatch(e -> e.type().equals(EventTypes.RETRAIN_REQUIRED) && e.requestId().equals("r-gate"));
        assertThat(versions(config)).extracting(ModelVersionEvent::version).containsExactly(1L);
        assertThat(readCommitted(config, config.topics().samples())).noneMatch(r -> r.value() == null);
    }
}
