package dev.lethe.cli;

import dev.lethe.core.erasure.BatchResult;
import dev.lethe.core.events.AuditChain;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.requests.RocksSubjectIndex;
import dev.lethe.daemon.config.LetheConfig;
import dev.lethe.daemon.config.LetheConfigs;
import dev.lethe.daemon.ingest.SamplePools;
import dev.lethe.daemon.kafka.EmbeddedKafka;
import dev.lethe.daemon.kafka.KafkaClients;
import dev.lethe.daemon.kafka.TopicSetup;
import dev.lethe.daemon.observe.DaemonState;
import dev.lethe.daemon.observe.LetheMetrics;
import dev.lethe.daemon.publish.Publisher;
import dev.lethe.daemon.registry.ModelRegistry;
import dev.lethe.daemon.requests.AfterCommit;
import dev.lethe.daemon.requests.RequestCoordinator;
import dev.lethe.perf.Figure;
import dev.lethe.perf.Goal;
import dev.lethe.perf.IngestPerf;
import dev.lethe.perf.RequestStream;
import dev.lethe.perf.Stats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The ingest figure through the daemon's own consumer path: the records are produced to the
 * requests topic of the in-JVM broker ({@link EmbeddedKafka}, topics as {@link TopicSetup} creates
 * them), then a {@link RequestCoordinator} with the daemon's clients ({@link KafkaClients}) polls
 * them: per poll the {@code ErasureFlow}'s intake, one transaction with the dead letters, the
 * {@code received} audit events (hash-chained) and the offsets, then the RocksDB lookup and
 * batching. The first batch is started and never finishes (a batch being unlearned), so no
 * erasure touches the index. Broker, daemon and producer share the JVM and the 2 cores.
 */
final class KafkaIngestPerf {

    private KafkaIngestPerf() {
    }

    static List<Figure> run(List<RequestStream.Record> records, Path indexDir, Path workDir, int repetitions,
            Consumer<String> progress, List<String> notes) throws Exception {
        String section = "deletion-request ingest through the daemon's RequestCoordinator (in-JVM broker)";
        Path dir = Files.createTempDirectory(Files.createDirectories(workDir), "kafka-ingest");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"));
                RocksSubjectIndex index = RocksSubjectIndex.open(indexDir, IngestPerf.PSEUDONYMIZER)) {
            LetheConfig base = config(kafka, dir, 0);
            KafkaClients clients = new KafkaClients(base);
            try (Admin admin = clients.admin()) {
                TopicSetup.createMissing(admin, base);
            }
            long produceStart = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = clients.producer("perf")) {
                for (RequestStream.Record r : records) {
                    producer.send(new ProducerRecord<>(base.topics().deletionRequests(), r.key(), r.value()));
                }
                producer.flush();
            }
            progress.accept(String.format(Locale.ROOT, "kafka ingest: %,d records produced in %.1f s", records.size(),
                    (System.nanoTime() - produceStart) / 1e9));
            double[] rates = new double[repetitions + 1];
            for (int r = 0; r <= repetitions; r++) { // r = 0 warms up
                rates[r] = consume(config(kafka, dir, r), index, records.size());
                progress.accept(String.format(Locale.ROOT, "kafka ingest: pass %d: %,.0f requests/s", r, rates[r]));
            }
            // The ceiling of the audit contract on this machine: the same clients, poll and one
            // transaction per poll, one record of a `received` event's size per request, no Lethe logic.
            int eventBytes = receivedEventBytes();
            double[] ceiling = new double[repetitions + 1];
            for (int r = 0; r <= repetitions; r++) {
                ceiling[r] = bare(config(kafka, dir, 1000 + r), records.size(), eventBytes);
                progress.accept(String.format(Locale.ROOT, "kafka ingest ceiling: pass %d: %,.0f records/s", r,
                        ceiling[r]));
            }
            notes.add(String.format(Locale.ROOT, "kafka ingest ceiling: the same clients and topics, per poll one "
                    + "transaction carrying one %d-byte record per request (a received event's size) and the offsets;"
                    + " no parsing, dedupe, hashing or lookup", eventBytes));
            notes.add(String.format(Locale.ROOT, "kafka ingest: %,d records on %d partitions; the daemon's "
                    + "RequestCoordinator, one transaction per poll (max.poll.records 500, the client default); "
                    + "broker, daemon and producer share the JVM and the cores", records.size(), base.kafka().partitions()));
            return List.of(new Figure(section, "ingest.kafka_requests_per_s",
                    "requests/s: poll + ErasureFlow intake + transaction (received events, offsets) + RocksDB lookup "
                            + "+ batching", Stats.of(Arrays.copyOfRange(rates, 1, rates.length)), "requests/s",
                    Goal.atLeast(100_000)),
                    new Figure(section, "ingest.kafka_ceiling_records_per_s",
                            "ceiling: poll + transaction + one received-sized record per request, nothing else",
                            Stats.of(Arrays.copyOfRange(ceiling, 1, ceiling.length)), "records/s", null));
        }
    }

    /** A model (and so a group and a transactional id) of its own per pass: each reads from the start. */
    private static LetheConfig config(EmbeddedKafka kafka, Path dir, int pass) {
        Map<String, String> map = new HashMap<>();
        map.put("lethe.kafka.bootstrap-servers", kafka.bootstrapServers());
        map.put("lethe.data-dir", dir.resolve("lethe").toString());
        map.put("lethe.model.name", "perf-" + pass);
        return LetheConfigs.of(map);
    }

    /** Requests per second from the first record handled to the last. */
    private static double consume(LetheConfig config, RocksSubjectIndex index, int expected) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        LetheMetrics metrics = new LetheMetrics(meters);
        KafkaClients clients = new KafkaClients(config);
        try (Publisher publisher = new Publisher(clients.transactionalProducer(), config.topics().audit(),
                Clock.systemUTC());
                ModelRegistry registry = new ModelRegistry(config.model().name(),
                        Files.createDirectories(config.dataDir().resolve(config.model().name())), ai.djl.Device.cpu());
                SamplePools pools = new SamplePools(1, 1, 1, s -> false)) {
            publisher.initTransactions();
            publisher.resumeChain(config.model().name(), null);
            RequestCoordinator.BatchRunner running = (batch, samplesEnd) -> new CompletableFuture<BatchResult>();
            RequestCoordinator coordinator = new RequestCoordinator(clients.consumer("requests", config.groupId()),
                    new RequestCoordinator.Topics(config.topics().deletionRequests(),
                            config.topics().deletionRequestsDlq(), config.topics().samples(),
                            config.topics().modelVersions()),
                    IngestPerf.flow(index), running, publisher,
                    new AfterCommit(registry, pools, new DaemonState(config.model().name()), metrics, Clock.systemUTC()));
            Thread listener = new Thread(coordinator::run, "perf-request-listener");
            listener.start();
            try {
                long start = 0;
                double firstCount = 0;
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                double handled;
                while ((handled = handled(meters)) < expected) {
                    if (start == 0 && handled > 0) {
                        start = System.nanoTime(); // from the first poll handled: group join is not ingest
                        firstCount = handled;
                    }
                    if (System.nanoTime() > deadline || !listener.isAlive()) {
                        throw new IllegalStateException("the coordinator handled " + handled + " of " + expected);
                    }
                    Thread.sleep(1);
                }
                return (expected - firstCount) / ((System.nanoTime() - start) / 1e9);
            } finally {
                coordinator.stop();
                listener.join(30_000);
            }
        }
    }

    /** The size of a chained {@code received} audit record's value, as the publisher writes it. */
    private static int receivedEventBytes() {
        AuditEvent event = AuditChain.genesis("perf-0").append(AuditEvent.received("req-20261202-123456",
                new Pseudonymizer("perf-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8))
                        .pseudonymize("subject-0000001")));
        return CloudEventJson.write(CloudEventJson.audit(Instant.now(), event)).length;
    }

    /** Consume, and per poll one transaction with one record per consumed record and the offsets. */
    private static double bare(LetheConfig config, int expected, int eventBytes) {
        KafkaClients clients = new KafkaClients(config);
        byte[] value = new byte[eventBytes];
        Arrays.fill(value, (byte) 'x');
        try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer("requests", config.groupId());
                KafkaProducer<byte[], byte[]> producer = clients.transactionalProducer()) {
            producer.initTransactions();
            consumer.subscribe(List.of(config.topics().deletionRequests()));
            long start = 0;
            long seen = 0;
            long first = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (seen < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the bare loop read " + seen + " of " + expected);
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                if (start == 0) {
                    start = System.nanoTime();
                    first = records.count();
                }
                producer.beginTransaction();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    producer.send(new ProducerRecord<>(config.topics().audit(), r.key(), value));
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                producer.commitTransaction();
                seen += records.count();
            }
            return (expected - first) / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Records the coordinator has handled and committed: received, duplicate or dead-lettered. */
    private static double handled(SimpleMeterRegistry meters) {
        return meters.find(LetheMetrics.REQUESTS).counters().stream()
                .filter(c -> !"completed".equals(c.getId().getTag("outcome"))
                        && !"escalated".equals(c.getId().getTag("outcome")))
                .mapToDouble(Counter::count).sum();
    }
}
