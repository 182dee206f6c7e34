package dev.lethe.cli;

import dev.lethe.perf.Figure;
import dev.lethe.perf.Goal;
import dev.lethe.perf.IngestPipeline;
import dev.lethe.perf.RequestStream;
import dev.lethe.perf.Stats;
import dev.lethe.core.requests.RocksSubjectIndex;
import dev.lethe.daemon.kafka.EmbeddedKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The ingest figure with a real Kafka consumer in front: the same records are produced to a
 * 6-partition topic of the in-JVM broker ({@link EmbeddedKafka}), then one consumer thread polls
 * them and feeds {@link IngestPipeline}. The broker runs in the same JVM, on the same 2 cores.
 */
final class KafkaIngestPerf {

    private static final String TOPIC = "perf.deletion-requests";

    private KafkaIngestPerf() {
    }

    static List<Figure> run(List<RequestStream.Record> records, Path indexDir, int repetitions, Consumer<String> progress,
                            List<String> notes) {
        String section = "deletion-request ingest through a Kafka consumer (in-JVM broker)";
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0);
             RocksSubjectIndex index = RocksSubjectIndex.open(indexDir)) {
            kafka.createTopic(TOPIC, 6, Map.of());
            Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                    ProducerConfig.ACKS_CONFIG, "all");
            long produceStart = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (RequestStream.Record r : records) {
                    producer.send(new ProducerRecord<>(TOPIC, r.key(), r.value()));
                }
                producer.flush();
            }
            double produced = (System.nanoTime() - produceStart) / 1e9;
            progress.accept(String.format(Locale.ROOT, "kafka ingest: %,d records produced in %.1f s", records.size(), produced));
            double[] rates = new double[repetitions + 1];
            for (int r = 0; r <= repetitions; r++) { // r = 0 warms up
                rates[r] = records.size() / consume(kafka.bootstrapServers(), "perf-" + r, records.size(), index);
                progress.accept(String.format(Locale.ROOT, "kafka ingest: pass %d: %,.0f requests/s", r, rates[r]));
            }
            notes.add(String.format(Locale.ROOT, "kafka ingest: %,d records on 6 partitions, max.poll.records 500, "
                    + "one consumer thread; broker, consumer and pipeline share the JVM and the cores", records.size()));
            return List.of(new Figure(section, "ingest.kafka_requests_per_s",
                    "requests/s: poll + parse + dedupe + RocksDB lookup (sampleCount) + batching",
                    Stats.of(java.util.Arrays.copyOfRange(rates, 1, rates.length)), "requests/s", Goal.atLeast(20_000)));
        }
    }

    /** Seconds to consume and process every record from the beginning with a new group. */
    private static double consume(String bootstrap, String group, int expected, RocksSubjectIndex index) {
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        IngestPipeline pipeline = new IngestPipeline(index, IngestPipeline.Lookup.COUNT, 1_000, Duration.ofSeconds(60));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long start = 0;
            int seen = 0;
            while (seen < expected) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                if (batch.isEmpty()) {
                    continue;
                }
                if (start == 0) {
                    start = System.nanoTime(); // from the first records: group join is not ingest
                }
                Instant now = Instant.now();
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    pipeline.accept(r.key(), r.value(), headers(r), r.partition(), r.offset(), now);
                    seen++;
                }
                pipeline.endOfPoll(now);
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    private static Map<String, byte[]> headers(ConsumerRecord<byte[], byte[]> r) {
        Header[] all = r.headers().toArray();
        if (all.length == 0) {
            return Map.of();
        }
        Map<String, byte[]> m = new HashMap<>();
        for (Header h : all) {
            m.put(h.key(), h.value());
        }
        return m;
    }
}
