package dev.lethe.cli;

import dev.lethe.core.data.FashionMnist;
import dev.lethe.core.data.Sample;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Devices;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.NetworkCodec;
import dev.lethe.daemon.DaemonHolder;
import dev.lethe.daemon.LetheDaemon;
import dev.lethe.daemon.config.LetheConfig;
import dev.lethe.daemon.config.LetheConfigs;
import dev.lethe.daemon.demo.DemoData;
import dev.lethe.daemon.kafka.EmbeddedKafka;
import dev.lethe.daemon.kafka.KafkaClients;
import dev.lethe.daemon.kafka.TopicReader;
import dev.lethe.daemon.kafka.TopicSetup;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Quarkus;
import jakarta.inject.Inject;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lethe demo}: the whole story on an embedded broker — a trained model, its training
 * samples on Kafka with their data subjects, deletion requests (one duplicated, one for an unknown
 * subject, one malformed), and what came out: per-request outcomes and the version lineage.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole story on an embedded Kafka broker: train, publish samples, request erasures, show the result.")
public class DemoCommand implements Callable<Integer> {

    @Mixin
    EmbeddedKafkaOptions broker;

    @Option(names = "--work-dir", description = "where the broker, index and registry live (default: a fresh temporary directory)")
    Path workDir;

    @Option(names = "--fashion-mnist-dir", description = "Fashion-MNIST IDX files (default: ${DEFAULT-VALUE})")
    Path fashionDir = FashionMnist.DEFAULT_DIR;

    @Option(names = "--train-size", defaultValue = "2000", description = "training samples (default: ${DEFAULT-VALUE})")
    int trainSize;

    @Option(names = "--holdout-size", defaultValue = "1000", description = "never-trained-on samples (default: ${DEFAULT-VALUE})")
    int holdoutSize;

    @Option(names = "--epochs", defaultValue = "60", description = "training epochs of the initial model (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--subjects", defaultValue = "6", description = "data subjects that ask to be forgotten (default: ${DEFAULT-VALUE})")
    int subjects;

    @Option(names = "--seed", defaultValue = "1", description = "seed of data, training and unlearning (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--exit-after", description = "exit once the summary is printed (default: keep serving until Ctrl-C)")
    boolean exitAfter;

    @Inject
    MeterRegistry meters;

    @Inject
    DaemonHolder holder;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Path dir = workDir != null ? workDir : Files.createTempDirectory("lethe-demo-");
        Files.createDirectories(dir);
        progress("work directory " + dir);

        DemoData data = DemoData.prepare(fashionDir, trainSize, holdoutSize, seed, this::progress);
        progress(String.format(Locale.ROOT, "%s: %d training samples from %d subjects, %d holdout samples",
                data.realData() ? "Fashion-MNIST" : "generated images", data.train().size(),
                data.train().samples().stream().map(Sample::subjectId).distinct().count(), data.holdout().size()));
        Path initial = dir.resolve("initial-model.lethe");
        progress("training the initial model (" + epochs + " epochs)…");
        try (Network network = data.trainInitialModel(Architecture.CNN, Devices.choose("auto"), epochs, seed,
                this::progress); OutputStream file = Files.newOutputStream(initial)) {
            NetworkCodec.write(network, file);
        }

        try (EmbeddedKafka kafka = broker.start(dir.resolve("kafka"))) {
            progress("embedded Kafka broker on " + kafka.bootstrapServers());
            Map<String, String> overrides = new HashMap<>();
            overrides.put("lethe.kafka.bootstrap-servers", kafka.bootstrapServers());
            overrides.put("lethe.data-dir", dir.resolve("lethe").toString());
            overrides.put("lethe.model.initial-path", initial.toString());
            overrides.put("lethe.batch.linger", "3s");
            LetheConfig config = LetheConfigs.withOverrides(ConfigProvider.getConfig(), overrides);
            KafkaClients clients = new KafkaClients(config);
            try (Admin admin = clients.admin()) {
                TopicSetup.createMissing(admin, config);
            }
            try (KafkaProducer<byte[], byte[]> producer = clients.producer("demo-pipeline")) {
                int n = DemoData.publish(producer, config.topics().samples(), data.train(), SampleRecord.TRAIN);
                n += DemoData.publish(producer, config.topics().samples(), data.holdout(), SampleRecord.HOLDOUT);
                progress("published " + n + " samples to " + config.topics().samples());
            }

            try (LetheDaemon daemon = new LetheDaemon(config, meters, Clock.systemUTC())) {
                holder.set(daemon);
                daemon.start();
                awaitReady(daemon);
                Map<String, String> requests = sendRequests(clients, config, data);
                Map<String, AuditEvent> terminal = awaitTerminal(clients, config, requests.keySet(), daemon);
                printSummary(out, requests, terminal, clients, config);
                if (!exitAfter) {
                    out.println();
                    out.println("Lethe keeps serving: http://localhost:8080/models/versions, /q/metrics, /q/health; "
                            + "Kafka at " + kafka.bootstrapServers() + ". Ctrl-C to stop.");
                    out.flush();
                    Quarkus.waitForExit();
                }
                return terminal.size() == requests.size() ? 0 : 1;
            } finally {
                holder.set(null);
            }
        }
    }

    private void progress(String message) {
        System.err.println("[demo] " + message);
    }

    private void awaitReady(LetheDaemon daemon) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!daemon.isReady()) {
            if (daemon.state().failure().isPresent()) {
                throw new IllegalStateException("Lethe failed to start: " + daemon.state().failure().get());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Lethe did not become ready within 2 minutes");
            }
            Thread.sleep(100);
        }
        progress("Lethe is ready");
    }

    /** Requests as a privacy team would send them; returns request id → what it is. */
    private Map<String, String> sendRequests(KafkaClients clients, LetheConfig config, DemoData data) {
        List<String> all = data.train().samples().stream().map(Sample::subjectId).distinct().toList();
        Map<String, String> valid = new LinkedHashMap<>();
        String topic = config.topics().deletionRequests();
        try (KafkaProducer<byte[], byte[]> producer = clients.producer("demo-privacy-team")) {
            for (int i = 0; i < Math.min(subjects, all.size()); i++) {
                String subject = all.get((int) ((i * 7919L + seed) % all.size()));
                String id = "req-" + (i + 1);
                valid.put(id, "subject with " + data.train().samples().stream()
                        .filter(s -> s.subjectId().equals(subject)).count() + " samples");
                producer.send(request(topic, id, subject));
                if (i == 0) {
                    producer.send(request(topic, id, subject)); // a resend: must be unlearned once
                }
            }
            valid.put("req-unknown", "subject with no samples");
            producer.send(request(topic, "req-unknown", "nobody-we-know"));
            producer.send(new ProducerRecord<>(topic, null, "{this is not json".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }
        progress("sent " + valid.size() + " deletion requests, one duplicate and one malformed record");
        return valid;
    }

    private static ProducerRecord<byte[], byte[]> request(String topic, String id, String subject) {
        String json = "{\"requestId\":\"" + id + "\",\"subjectId\":\"" + subject + "\"}";
        return new ProducerRecord<>(topic, subject.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, AuditEvent> awaitTerminal(KafkaClients clients, LetheConfig config,
            java.util.Set<String> ids, LetheDaemon daemon) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(15));
        while (true) {
            Map<String, AuditEvent> terminal = new HashMap<>();
            for (AuditEvent e : audit(clients, config)) {
                if (ids.contains(e.requestId()) && (e.type().equals(EventTypes.DELETION_COMPLETED)
                        || e.type().equals(EventTypes.DELETION_ESCALATED))) {
                    terminal.put(e.requestId(), e);
                }
            }
            if (terminal.size() == ids.size() || Instant.now().isAfter(deadline)
                    || daemon.state().failure().isPresent()) {
                return terminal;
            }
            Thread.sleep(1000);
        }
    }

    private static List<AuditEvent> audit(KafkaClients clients, LetheConfig config) {
        List<AuditEvent> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer("demo-auditor", null)) {
            for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(consumer, config.topics().audit(), Duration.ofMinutes(1))) {
                events.add(CloudEventJson.auditEventOf(CloudEventJson.parse(r.value())));
            }
        }
        return events;
    }

    private void printSummary(PrintStream out, Map<String, String> requests, Map<String, AuditEvent> terminal,
            KafkaClients clients, LetheConfig config) {
        out.println();
        out.println("Deletion requests");
        out.println("| request | what | outcome | samples forgotten | version | MIA AUC before → after |");
        out.println("|---|---|---|---:|---:|---|");
        for (Map.Entry<String, String> r : requests.entrySet()) {
            AuditEvent e = terminal.get(r.getKey());
            if (e == null) {
                out.printf(Locale.ROOT, "| %s | %s | still pending | | | |%n", r.getKey(), r.getValue());
                continue;
            }
            String outcome = e.type().substring(e.type().lastIndexOf('.') + 1);
            String mia = e.mia() == null || !Double.isFinite(e.mia().auc()) ? "–"
                    : String.format(Locale.ROOT, "%.3f → %.3f", e.mia().aucBefore(), e.mia().auc());
            out.printf(Locale.ROOT, "| %s | %s | %s | %d | %s | %s |%n", r.getKey(), r.getValue(), outcome,
                    e.samplesForgotten(), e.modelVersion() == null ? "–" : "v" + e.modelVersion(), mia);
        }
        long dead;
        try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer("demo-dlq", null)) {
            dead = TopicReader.readAll(consumer, config.topics().deletionRequestsDlq(), Duration.ofMinutes(1)).size();
        }
        out.println();
        out.println("Dead letters on " + config.topics().deletionRequestsDlq() + ": " + dead);
        out.println();
        out.println("Version lineage of " + config.model().name());
        try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer("demo-versions", null)) {
            for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(consumer, config.topics().modelVersions(),
                    Duration.ofMinutes(1))) {
                ModelVersionEvent v = CloudEventJson.modelVersionOf(CloudEventJson.parse(r.value()).data());
                out.printf(Locale.ROOT, "  v%d ← %s  sha256 %s…  %d samples forgotten  requests %s  holdout acc %s%n",
                        v.version(), v.parentVersion() == null ? "initial" : "v" + v.parentVersion(),
                        v.sha256().substring(0, 12), v.samplesForgotten(), v.requestIds(),
                        Double.isFinite(v.metrics().holdoutAcc())
                                ? String.format(Locale.ROOT, "%.3f", v.metrics().holdoutAcc()) : "–");
            }
        }
        out.flush();
    }
}
