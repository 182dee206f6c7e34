package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.events.AuditChain;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.daemon.rebase.RebaseSetup;
import dev.lethe.testing.InJvmKafka;
import dev.lethe.testing.RetrainEvents;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16 part 3: the daemon is SIGKILLed in the middle of a rebase (the retrain read, its
 * erasures being re-applied, nothing published). Restarted, it runs the rebase again: exactly one
 * new base version and one {@code rebased} audit event, the erasures the retrain missed re-applied,
 * the retrain's offset committed with them, and a request sent while it was down unlearned on the
 * new base — never on the lineage the retrain replaced, never lost.
 */
class RebaseCrashIT {

    private static final String RETRAINS = EventTypes.RETRAINS_TOPIC;
    private static final String MODEL = "fashion-cnn";

    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("rebase-crash");

    @Test
    void aRebaseKilledMidwayIsRunAgainOncePublishedOnceAndLosesNoErasure() throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        Path dir = KAFKA.dir();
        Path model = Fixture.model();
        Fixture.Population population = Fixture.Population.generate(31, 40, 30, 2, 4, 60);
        Map<String, String> props = Fixture.daemonProperties(bootstrap, dir.resolve("data"), model);
        props.put("lethe.model.name", MODEL);
        Map<String, String> requests = new LinkedHashMap<>();
        Map<Integer, Long> snapshot;
        try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
            try (LetheProcess daemon = LetheProcess.start(dir.resolve("lethe.log"), props, "serve")) {
                Fixture.awaitReady(daemon);
                population.publish(bootstrap);
                snapshot = samplesEnd(bootstrap);
                Fixture.sendRequests(producer, requests, "before", population.subjects().subList(0, 3));
                Fixture.awaitTerminal(bootstrap, requests.keySet(), Duration.ofSeconds(180));

                CompletableFuture<String> started = daemon.onLine(l -> l.contains("rebase started"));
                producer.send(new ProducerRecord<>(RETRAINS, Fixture.utf8(MODEL), Fixture.utf8(RetrainEvents.json(
                        "retrain-1", MODEL, model, RetrainEvents.sha256(model), "lethe", snapshot))));
                producer.flush();
                started.get(120, TimeUnit.SECONDS);
                daemon.kill();
            }
            assertThat(ExactlyOnceVerdict.audit(bootstrap)).noneMatch(e -> e.type().equals(EventTypes.MODEL_REBASED));
            // Sent while the daemon is down: it must wait for the rebase, then run on the new base.
            Fixture.sendRequests(producer, requests, "during", population.subjects().subList(3, 4));
            try (LetheProcess restarted = LetheProcess.start(dir.resolve("lethe.log"), props, "serve")) {
                Fixture.awaitReady(restarted);
                Fixture.awaitTerminal(bootstrap, requests.keySet(), Duration.ofSeconds(180));
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> ExactlyOnceVerdict
                        .audit(bootstrap).stream().anyMatch(e -> e.type().equals(EventTypes.MODEL_REBASED)));
            }
        }

        List<AuditEvent> audit = ExactlyOnceVerdict.audit(bootstrap);
        List<AuditEvent> rebased = audit.stream().filter(e -> e.type().equals(EventTypes.MODEL_REBASED)).toList();
        assertThat(rebased).hasSize(1);
        assertThat(audit).noneMatch(e -> e.type().equals(EventTypes.MODEL_REBASE_REFUSED));
        List<ModelVersionEvent> versions = ExactlyOnceVerdict.versions(bootstrap);
        List<ModelVersionEvent> bases = versions.stream().filter(v -> v.rebase() != null).toList();
        assertThat(bases).hasSize(1);
        ModelVersionEvent base = bases.get(0);
        assertThat(base.version()).isEqualTo(rebased.get(0).modelVersion());
        assertThat(base.rebase().retrainId()).isEqualTo("retrain-1");
        List<String> before = requests.keySet().stream().filter(id -> id.startsWith("before")).toList();
        List<String> erasedBefore = audit.stream().filter(e -> e.type().equals(EventTypes.DELETION_COMPLETED)
                && before.contains(e.requestId()) && e.samplesForgotten() > 0).map(AuditEvent::requestId).toList();
        assertThat(base.requestIds()).as("every completed erasure the retrain missed").containsExactlyInAnyOrderElementsOf(erasedBefore);
        AuditEvent during = audit.stream().filter(e -> e.requestId().equals("during-0") && ExactlyOnceVerdict.isTerminal(e))
                .findFirst().orElseThrow();
        assertThat(during.type()).isEqualTo(EventTypes.DELETION_COMPLETED);
        assertThat(during.modelVersion()).as("unlearned on the new base").isGreaterThan(base.version());
        assertThat(ExactlyOnceVerdict.terminalCounts(audit).values()).allMatch(n -> n == 1);
        assertThat(versions).extracting(ModelVersionEvent::version).doesNotHaveDuplicates();
        assertThat(AuditChain.verify(audit.stream().filter(e -> MODEL.equals(e.model())).toList()).ok()).isTrue();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("lethe-" + MODEL)
                    .partitionsToOffsetAndMetadata().get();
            assertThat(committed.get(new TopicPartition(RETRAINS, 0)).offset()).as("the retrain consumed once").isEqualTo(1);
        }
    }

    private static Map<Integer, Long> samplesEnd(String bootstrap) {
        try (KafkaConsumer<byte[], byte[]> c = Fixture.consumer(bootstrap)) {
            return RebaseSetup.endOffsets(c, Fixture.SAMPLES);
        }
    }
}
