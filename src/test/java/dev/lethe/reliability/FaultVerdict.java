package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.daemon.kafka.TopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The checks a fault test adds to {@link ExactlyOnceVerdict}: no record of an aborted transaction
 * is visible to {@code read_committed} (the aborted ranges come from the brokers' own transaction
 * indexes on disk, not from a consumer), and the request group's committed offsets are never
 * ahead of the published outputs (every request below a committed offset has its terminal event).
 */
final class FaultVerdict {

    /** Lethe's output topics: only its transactional producer writes them (samples: the tombstones). */
    private static final List<String> OUTPUTS = List.of(Fixture.AUDIT, Fixture.VERSIONS, Fixture.REQUESTS_DLQ,
            Fixture.SAMPLES);
    /** {@code AbortedTxn}: version (short), producer id, first offset, last offset, last stable offset. */
    private static final int ABORTED_TXN_BYTES = 2 + 8 * 4;
    private static final Pattern REQUEST_ID = Pattern.compile("\"requestId\"\\s*:\\s*\"([^\"]+)\"");

    /**
     * What was found: aborted-transaction index entries (one per partition an aborted transaction
     * wrote), their records (read uncommitted), and how many of those a read_committed reader returned.
     */
    record Aborted(int indexEntries, int records, int visibleToReadCommitted) {
    }

    private FaultVerdict() {
    }

    /**
     * Asserts that no output record inside an aborted transaction's range is returned by a
     * {@code read_committed} reader; {@code logDirs} are the brokers' log directories.
     */
    static Aborted abortedNeverVisible(String bootstrap, Collection<Path> logDirs) {
        int entries = 0;
        int records = 0;
        int visible = 0;
        for (String topic : OUTPUTS) {
            Map<Integer, List<long[]>> ranges = abortedRanges(logDirs, topic);
            entries += ranges.values().stream().mapToInt(List::size).sum();
            records += inAborted(read(bootstrap, topic, "read_uncommitted"), ranges);
            visible += inAborted(Fixture.readCommitted(bootstrap, topic), ranges);
        }
        assertThat(visible).as("records of aborted transactions visible to read_committed").isZero();
        return new Aborted(entries, records, visible);
    }

    private static int inAborted(List<ConsumerRecord<byte[], byte[]>> records, Map<Integer, List<long[]>> ranges) {
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            boolean lethes = !r.topic().equals(Fixture.SAMPLES) || r.value() == null;
            if (lethes && ranges.getOrDefault(r.partition(), List.of()).stream()
                    .anyMatch(a -> r.offset() >= a[0] && r.offset() <= a[1])) {
                n++;
            }
        }
        return n;
    }

    /** Per partition, the {@code [first, last]} offsets of every aborted transaction, from the .txnindex files. */
    static Map<Integer, List<long[]>> abortedRanges(Collection<Path> logDirs, String topic) {
        Map<Integer, Set<List<Long>>> unique = new HashMap<>();
        for (Path logDir : logDirs) {
            try (Stream<Path> dirs = Files.list(logDir)) {
                for (Path dir : dirs.filter(d -> d.getFileName().toString().matches(Pattern.quote(topic) + "-\\d+"))
                        .toList()) {
                    int partition = Integer.parseInt(dir.getFileName().toString().substring(topic.length() + 1));
                    try (Stream<Path> files = Files.list(dir)) {
                        for (Path index : files.filter(f -> f.toString().endsWith(".txnindex")).toList()) {
                            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(index));
                            while (b.remaining() >= ABORTED_TXN_BYTES) {
                                b.getShort();
                                b.getLong();
                                long first = b.getLong();
                                long last = b.getLong();
                                b.getLong();
                                unique.computeIfAbsent(partition, p -> new java.util.HashSet<>()).add(List.of(first, last));
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<Integer, List<long[]>> ranges = new HashMap<>();
        unique.forEach((p, set) -> ranges.put(p, set.stream().map(l -> new long[] {l.get(0), l.get(1)}).toList()));
        return ranges;
    }

    /**
     * Asserts that every request below the group's committed offset has a terminal audit event;
     * the offsets are read first, so outputs published later can only make the check easier to
     * pass, never fail it wrongly. Returns how many request records lie below the offsets.
     */
    static int offsetsNotAheadOfOutputs(String bootstrap, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        }
        Set<String> terminal = ExactlyOnceVerdict.terminalCounts(ExactlyOnceVerdict.audit(bootstrap)).keySet();
        List<String> ahead = new ArrayList<>();
        int below = 0;
        for (ConsumerRecord<byte[], byte[]> r : Fixture.readCommitted(bootstrap, Fixture.REQUESTS)) {
            OffsetAndMetadata o = committed.get(new TopicPartition(r.topic(), r.partition()));
            if (o == null || r.offset() >= o.offset()) {
                continue;
            }
            below++;
            Matcher id = REQUEST_ID.matcher(new String(r.value(), StandardCharsets.UTF_8));
            if (id.find() && !terminal.contains(id.group(1))) {
                ahead.add(r.partition() + "@" + r.offset() + " " + id.group(1));
            }
        }
        assertThat(ahead).as("requests below the committed offset (%s) without a terminal event", committed).isEmpty();
        return below;
    }

    /** One fault test's figures, for docs/reliability.md. */
    record Figures(String fault, int requests, String injected, int lost, int duplicated, Aborted aborted,
            int requestsBelowCommittedOffsets, long wallSeconds) {
        String row() {
            return "| " + fault + " | " + requests + " | " + injected + " | " + lost + " | " + duplicated + " | "
                    + aborted.indexEntries() + " / " + aborted.records() + " / " + aborted.visibleToReadCommitted()
                    + " | " + requestsBelowCommittedOffsets + " | " + wallSeconds + " s |";
        }
    }

    /**
     * Every check after a fault test: {@link ExactlyOnceVerdict#check}, aborted records never
     * visible, committed offsets not ahead of outputs. Prints the figures and appends them to
     * {@code target/reliability/faults.md}.
     */
    static Figures check(String fault, String bootstrap, Collection<Path> logDirs, Map<String, String> requestSubject,
            Fixture.Population population, String injected, long startedNanos) throws Exception {
        ExactlyOnceVerdict.Counts counts = ExactlyOnceVerdict.check(bootstrap, requestSubject, population);
        Aborted aborted = abortedNeverVisible(bootstrap, logDirs);
        int below = offsetsNotAheadOfOutputs(bootstrap, DaemonTransaction.ID);
        Figures f = new Figures(fault, requestSubject.size(), injected, counts.lost(), counts.duplicated(), aborted,
                below, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos));
        System.out.println("[" + fault + "] " + counts + "\n" + f.row());
        Files.createDirectories(Fixture.OUT);
        Files.writeString(Fixture.OUT.resolve("faults.md"), f.row() + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return f;
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String bootstrap, String topic, String isolation) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            return TopicReader.readAll(c, topic, Fixture.READ);
        }
    }
}
