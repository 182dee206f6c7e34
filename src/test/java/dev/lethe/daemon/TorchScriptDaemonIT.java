package dev.lethe.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.core.data.FashionMnist;
import dev.lethe.core.data.LabelledImages;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.data.SplitManifest;
import dev.lethe.core.events.AuditChain;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.testing.RealPyTorch;
import dev.lethe.daemon.config.LetheConfig;
import dev.lethe.daemon.config.LetheConfigs;
import dev.lethe.daemon.demo.DemoData;
import dev.lethe.daemon.kafka.EmbeddedKafka;
import dev.lethe.daemon.kafka.KafkaClients;
import dev.lethe.daemon.kafka.TopicReader;
import dev.lethe.daemon.kafka.TopicSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A team's own model through the daemon against a real broker: a TorchScript file made by real
 * PyTorch 1.13 (three convolutions with BatchNorm, {@code embed}/{@code classify} exported; Lethe
 * never saw it), its samples and one deletion request per forget subject sent through Kafka, the
 * head selected by {@code lethe.unlearning.parameters=^head\.}. PyTorch itself then opens the new
 * version and measures it on images Lethe never saw.
 */
class TorchScriptDaemonIT {

    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final String FIXTURE = "/pytorch/fashion-bn";

    @TempDir
    Path tmp;

    @Test
    void aPyTorchModelForgetsItsSubjectsThroughKafkaAndPyTorchOpensTheNewVersion() throws Exception {
        RealPyTorch.assume();
        Assumptions.assumeTrue(FashionMnist.isAvailable(FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST is not installed: apt-get install -y " + FashionMnist.DEBIAN_PACKAGE);
        Path model = copy(FIXTURE + ".pt", "model.pt");
        Path split = copy(FIXTURE + "-split.json", "split.json");
        SplitManifest manifest = SplitManifest.read(split);
        LabelledImages pool = FashionMnist.load(FashionMnist.DEFAULT_DIR).train();
        SampleSet train = manifest.train(pool);
        // Lethe's own holdout pool: the manifest's validation images. Its holdout images stay with
        // PyTorch, for a measurement on data Lethe never saw.
        SampleSet unseen = manifest.validation(pool);

        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, tmp.resolve("kafka"))) {
            LetheConfig config = LetheConfigs.of(pairs(
                    "lethe.kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "lethe.data-dir", tmp.resolve("data").toString(),
                    "lethe.model.name", "fashion-bn",
                    "lethe.model.initial-path", model.toString(),
                    "lethe.unlearning.parameters", "^head\\.",
                    // What `lethe bench --model` chose for this model on its selection split (grid
                    // 1e-3, 3e-3, 1e-2): a team tunes the daemon on its own model the same way.
                    "lethe.unlearning.learning-rate", "3e-3",
                    // The absolute gate (attack AUC ≤ 0.6, forget accuracy within tolerance): the
                    // calibrated gate's RMIA is borderline on this head-only batch (one run in five
                    // escalated it at 0.588 against a threshold of 0.583) and has its own tests; what
                    // this test asserts is measured by PyTorch below.
                    "lethe.verify.gate", "absolute",
                    "lethe.batch.linger", "3s",
                    "lethe.ingest.retain-size", "100",
                    "lethe.ingest.holdout-size", String.valueOf(unseen.size()),
                    "lethe.audit.hmac-secret", "integration-test-secret-0123456789"));
            try (Admin admin = new KafkaClients(config).admin()) {
                TopicSetup.createMissing(admin, config);
            }
            try (KafkaProducer<byte[], byte[]> producer = new KafkaClients(config).producer("it-samples")) {
                DemoData.publish(producer, config.topics().samples(), train, SampleRecord.TRAIN);
                DemoData.publish(producer, config.topics().samples(), unseen, SampleRecord.HOLDOUT);
            }
            try (LetheDaemon daemon = new LetheDaemon(config, new SimpleMeterRegistry(), Clock.systemUTC())) {
                daemon.start();
                await().atMost(WAIT).until(() -> daemon.isReady() || daemon.state().failure().isPresent());
                assertThat(daemon.state().failure()).isEmpty();
                try (KafkaProducer<byte[], byte[]> producer = new KafkaClients(config).producer("it-requests")) {
                    for (String subject : manifest.forgetSubjects()) {
                        String value = "{\"requestId\":\"r-" + subject + "\",\"subjectId\":\"" + subject + "\"}";
                        producer.send(new ProducerRecord<>(config.topics().deletionRequests(),
                                subject.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)));
                    }
                }
                await().atMost(WAIT).until(() -> terminal(config).size() == manifest.forgetSubjects().size());
            }

            List<AuditEvent> terminal = terminal(config);
            assertThat(terminal).allMatch(e -> e.type().equals(EventTypes.DELETION_COMPLETED),
                    "every request completed (none escalated)");
            assertThat(AuditChain.verify(audit(config)).ok()).isTrue();
            List<ModelVersionEvent> versions = versions(config);
            ModelVersionEvent v2 = versions.get(versions.size() - 1);
            assertThat(v2.version()).isGreaterThanOrEqualTo(2L);
            assertThat(v2.format()).isEqualTo(ModelVersionEvent.TORCHSCRIPT);
            assertThat(v2.artifactUri()).endsWith(".pt");
            assertThat(v2.unlearning().parameterPattern()).isEqualTo("^head\\.");
            assertThat(v2.unlearning().path()).isEqualTo("embed-dense-head");
            assertThat(v2.unlearning().changedTensors()).isNotEmpty().allMatch(n -> n.startsWith("head."));
            assertThat(terminal.get(0).unlearning()).isEqualTo(
                    versions.stream().filter(v -> v.version() == terminal.get(0).modelVersion()).findFirst()
                            .orElseThrow().unlearning());

            JsonNode report = RealPyTorch.checkVersion("--original", model.toString(),
                    "--version", Path.of(java.net.URI.create(v2.artifactUri())).toString(), "--split", split.toString());
            assertThat(report.get("sameParameterNames").asBoolean()).isTrue();
            assertThat(report.get("buffersIdentical").asBoolean()).isTrue();
            List<String> changed = new ArrayList<>();
            report.get("changedParameters").forEach(n -> changed.add(n.asText()));
            assertThat(changed).as("only the selected tensors changed").isNotEmpty().allMatch(n -> n.startsWith("head."));
            assertThat(changed).containsExactlyInAnyOrderElementsOf(v2.unlearning().changedTensors());
            assertThat(report.get("embedClassifyCallable").asBoolean()).isTrue();

            JsonNode after = report.get("version");
            JsonNode before = report.get("original");
            double forgetLoss = after.get("forget").get("meanLoss").asDouble();
            double holdoutLoss = after.get("holdout").get("meanLoss").asDouble();
            double forgetAcc = after.get("forget").get("accuracy").asDouble();
            double holdoutAcc = after.get("holdout").get("accuracy").asDouble();
            System.out.printf("[TorchScriptDaemonIT] PyTorch measures: original forget acc %.3f loss %.4f, holdout acc %.3f"
                    + " loss %.4f; v%d forget acc %.3f loss %.4f, holdout acc %.3f loss %.4f; changed %s%n",
                    before.get("forget").get("accuracy").asDouble(), before.get("forget").get("meanLoss").asDouble(),
                    before.get("holdout").get("accuracy").asDouble(), before.get("holdout").get("meanLoss").asDouble(),
                    v2.version(), forgetAcc, forgetLoss, holdoutAcc, holdoutLoss, changed);
            assertThat(forgetLoss).as("forget loss moved toward unseen data's").isGreaterThanOrEqualTo(0.1 * holdoutLoss);
            assertThat(forgetAcc).as("forget accuracy at most 0.08 above holdout's").isLessThanOrEqualTo(holdoutAcc + 0.08);
            assertThat(Math.abs(holdoutAcc - before.get("holdout").get("accuracy").asDouble()))
                    .as("holdout accuracy within 0.03 of the original's").isLessThanOrEqualTo(0.03);
            String auditText = readCommitted(config, config.topics().audit()).stream()
                    .map(r -> new String(r.value(), StandardCharsets.UTF_8)).collect(Collectors.joining("\n"));
            manifest.forgetSubjects().forEach(s -> assertThat(auditText).doesNotContain("\"" + s + "\""));
        }
    }

    private static Map<String, String> pairs(String... keysAndValues) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private Path copy(String resource, String name) throws Exception {
        Path target = tmp.resolve(name);
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            Files.copy(in, target);
        }
        return target;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(LetheConfig config, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaClients(config).consumer("it-reader", null)) {
            return TopicReader.readAll(consumer, topic, Duration.ofSeconds(60));
        }
    }

    private static List<AuditEvent> audit(LetheConfig config) {
        List<AuditEvent> events = new ArrayList<>();
        readCommitted(config, config.topics().audit())
                .forEach(r -> events.add(CloudEventJson.auditEventOf(CloudEventJson.parse(r.value()))));
        return events;
    }

    private static List<AuditEvent> terminal(LetheConfig config) {
        return audit(config).stream().filter(e -> e.type().equals(EventTypes.DELETION_COMPLETED)
                || e.type().equals(EventTypes.DELETION_ESCALATED)).toList();
    }

    private static List<ModelVersionEvent> versions(LetheConfig config) {
        List<ModelVersionEvent> versions = new ArrayList<>();
        readCommitted(config, config.topics().modelVersions())
                .forEach(r -> versions.add(CloudEventJson.modelVersionOf(CloudEventJson.parse(r.value()).data())));
        return versions;
    }
}
