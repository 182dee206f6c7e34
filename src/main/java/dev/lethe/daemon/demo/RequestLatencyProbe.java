package dev.lethe.daemon.demo;

import dev.lethe.core.data.FashionMnist;
import dev.lethe.core.data.Sample;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Devices;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.NetworkCodec;
import dev.lethe.daemon.LetheDaemon;
import dev.lethe.daemon.config.LetheConfig;
import dev.lethe.daemon.config.LetheConfigs;
import dev.lethe.daemon.kafka.EmbeddedKafka;
import dev.lethe.daemon.kafka.KafkaClients;
import dev.lethe.daemon.kafka.TopicSetup;
import dev.lethe.daemon.observe.LetheMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Measures what a requester waits: from sending a deletion request to seeing its terminal audit
 * event ({@code read_committed}), under a steady stream of requests against a real in-process
 * broker and the real daemon. The wait is dominated by the batch linger and the unlearning time,
 * so the report states both.
 */
public final class RequestLatencyProbe {

    /**
     * @param requests      requests sent (one per distinct subject)
     * @param ratePerSecond send rate
     * @param p50Seconds    median request → terminal event
     * @param p95Seconds    95th percentile
     * @param maxSeconds    slowest
     * @param completed     terminal events seen (completed or escalated)
     * @param versions      model versions published during the run
     * @param linger        the batch linger configured
     * @param maxSamples    the batch size limit configured
     * @param latenciesSeconds every request's latency (terminal events seen), ascending
     */
    public record Result(int requests, double ratePerSecond, double p50Seconds, double p95Seconds, double maxSeconds,
            int completed, long versions, Duration linger, int maxSamples, double[] latenciesSeconds) {
    }

    private RequestLatencyProbe() {
    }

    public static Result run(Path workDir, int trainSize, int holdoutSize, int epochs, int requests, double ratePerSecond,
            Map<String, String> overrides, Consumer<String> progress) throws Exception {
        DemoData data = DemoData.prepare(FashionMnist.DEFAULT_DIR, trainSize, holdoutSize, 1, progress);
        Path model = workDir.resolve("latency-model.lethe");
        try (Network network = data.trainInitialModel(Architecture.CNN, Devices.choose("auto"), epochs, 1, s -> { });
                OutputStream out = Files.newOutputStream(model)) {
            NetworkCodec.write(network, out);
        }
        List<String> subjects = data.train().samples().stream().map(Sample::subjectId).distinct().toList();
        if (requests > subjects.size()) {
            throw new IllegalArgumentException("only " + subjects.size() + " subjects for " + requests + " requests");
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, workDir.resolve("kafka"))) {
            Map<String, String> map = new HashMap<>();
            map.put("lethe.kafka.bootstrap-servers", kafka.bootstrapServers());
            map.put("lethe.data-dir", workDir.resolve("lethe").toString());
            map.put("lethe.model.initial-path", model.toString());
            map.put("lethe.audit.hmac-secret", "latency-probe-secret-0123456789");
            map.putAll(overrides);
            LetheConfig config = LetheConfigs.of(map);
            KafkaClients clients = new KafkaClients(config);
            try (Admin admin = clients.admin()) {
                TopicSetup.createMissing(admin, config);
            }
            try (KafkaProducer<byte[], byte[]> producer = clients.producer("probe-samples")) {
                DemoData.publish(producer, config.topics().samples(), data.train(), SampleRecord.TRAIN);
                DemoData.publish(producer, config.topics().samples(), data.holdout(), SampleRecord.HOLDOUT);
            }
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            try (LetheDaemon daemon = new LetheDaemon(config, meters, Clock.systemUTC())) {
                daemon.start();
                long indexed = data.train().size() + data.holdout().size();
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (!daemon.isReady() || meters.find(LetheMetrics.INDEX_SAMPLES).gauge() == null
                        || meters.get(LetheMetrics.INDEX_SAMPLES).gauge().value() < indexed) {
                    if (System.nanoTime() > deadline || daemon.state().failure().isPresent()) {
                        throw new IllegalStateException("daemon not ready: " + daemon.state().failure().orElse("timeout"));
                    }
                    Thread.sleep(50);
                }
                progress.accept("daemon ready with " + indexed + " samples; sending " + requests + " requests at "
                        + ratePerSecond + "/s");
                return measure(clients, config, subjects.subList(0, requests), ratePerSecond, meters, progress);
            }
        }
    }

    private static Result measure(KafkaClients clients, LetheConfig config, List<String> subjects, double rate,
            SimpleMeterRegistry meters, Consumer<String> progress) throws Exception {
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> doneAt = new ConcurrentHashMap<>();
        try (KafkaConsumer<byte[], byte[]> audit = clients.consumer("probe-audit", null);
                KafkaProducer<byte[], byte[]> producer = clients.producer("probe-requests")) {
            List<TopicPartition> partitions = audit.partitionsFor(config.topics().audit()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            audit.assign(partitions);
            audit.seekToEnd(partitions);
            partitions.forEach(audit::position);
            long intervalNanos = (long) (1e9 / rate);
            long start = System.nanoTime();
            int next = 0;
            long deadline = start + Duration.ofMinutes(10).toNanos();
            while (doneAt.size() < subjects.size() && System.nanoTime() < deadline) {
                while (next < subjects.size() && System.nanoTime() >= start + next * intervalNanos) {
                    String id = "latency-" + next;
                    String subject = subjects.get(next);
                    String json = "{\"requestId\":\"" + id + "\",\"subjectId\":\"" + subject + "\"}";
                    sentAt.put(id, System.nanoTime());
                    producer.send(new ProducerRecord<>(config.topics().deletionRequests(),
                            subject.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8)));
                    next++;
                }
                producer.flush();
                for (ConsumerRecord<byte[], byte[]> r : audit.poll(Duration.ofMillis(20))) {
                    AuditEvent e = CloudEventJson.auditEventOf(CloudEventJson.parse(r.value()));
                    if ((e.type().equals(EventTypes.DELETION_COMPLETED) || e.type().equals(EventTypes.DELETION_ESCALATED))
                            && sentAt.containsKey(e.requestId())) {
                        doneAt.putIfAbsent(e.requestId(), System.nanoTime());
                    }
                }
            }
        }
        double[] latencies = doneAt.entrySet().stream()
                .mapToDouble(e -> (e.getValue() - sentAt.get(e.getKey())) / 1e9).sorted().toArray();
        long versions = (long) meters.get(LetheMetrics.VERSIONS_PUBLISHED).counter().count();
        progress.accept("latencies: " + Arrays.toString(Arrays.copyOf(latencies, Math.min(5, latencies.length))) + " …");
        return new Result(subjects.size(), rate, percentile(latencies, 0.50), percentile(latencies, 0.95),
                latencies.length == 0 ? Double.NaN : latencies[latencies.length - 1], latencies.length, versions,
                config.batch().linger(), config.batch().maxSamples(), latencies);
    }

    /** Nearest-rank percentile of sorted values. */
    public static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
