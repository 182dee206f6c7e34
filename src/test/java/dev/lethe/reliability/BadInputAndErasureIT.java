package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.events.SampleRecordWriter;
import dev.lethe.core.requests.RocksSubjectIndex;
import dev.lethe.daemon.ingest.SampleIngestor;
import dev.lethe.daemon.kafka.EmbeddedKafka;
import dev.lethe.testing.InJvmKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged daemon against a real broker, fed bad records on both input topics, then asked to
 * erase a subject: where every bad record went and why (a table written to
 * {@code target/reliability/bad-inputs.md}), that consumption went on, that the erased subject is
 * gone from the index, the retain buffer, the holdout set and the samples topic and stays gone, and
 * that no raw subject id reached the daemon's log, its metrics or the audit topic.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputAndErasureIT {

    private static final String CASE = "x-test-case";
    private static final Duration WAIT = Duration.ofSeconds(120);

    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("bad-input");
    static Path dir;
    static EmbeddedKafka broker;
    static Path model;
    static Fixture.Population population;
    static Map<String, String> props;
    static LetheProcess daemon;
    static Path log;
    /** Every subject id this test used anywhere: none may appear in a log line, metric or audit event. */
    static final Set<String> allSubjectIds = new java.util.HashSet<>();
    static final List<String> metricsSeen = new ArrayList<>();
    static String erased;

    @BeforeAll
    static void start() throws Exception {
        dir = KAFKA.dir();
        broker = KAFKA.broker();
        model = Fixture.model();
        population = Fixture.Population.generate(5, 30, 20, 3, 5, 80);
        population.subjects().forEach(s -> allSubjectIds.add(s.id()));
        props = Fixture.daemonProperties(broker.bootstrapServers(), dir.resolve("lethe-data"), model);
        // Pools larger than the data: the gauges then count every sample, so removals show exactly.
        props.put("lethe.ingest.retain-size", "1000");
        props.put("lethe.ingest.holdout-size", "1000");
        props.put("lethe.ingest.max-request-bytes", Integer.toString(BadInputs.MAX_REQUEST_BYTES));
        props.put("lethe.ingest.max-sample-bytes", Integer.toString(BadInputs.MAX_SAMPLE_BYTES));
        log = dir.resolve("lethe.log");
        daemon = LetheProcess.start(log, props, "serve");
        awaitReady();
        population.publish(broker.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static void awaitReady() {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(daemon.isAlive()).as("daemon alive").isTrue();
            return daemon.isReady();
        });
    }

    @Test
    @Order(1)
    void everyBadInputGoesToItsDeadLetterQueueWithAReasonAndConsumptionContinues() throws Exception {
        String bootstrap = broker.bootstrapServers();
        List<BadInputs.Bad> bad = BadInputs.all();
        allSubjectIds.add(BadInputs.SUBJECT);
        String after = population.subjects().get(0).id();
        Fixture.Subject late = new Fixture.Subject("person-after-bad-input", List.of("after-bad-1"));
        allSubjectIds.add(late.id());
        Map<String, String> refusedByBroker = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
            for (BadInputs.Bad x : bad) { // one at a time: a record the broker refuses fails its whole batch
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(x.topic(), null, x.key(), x.value());
                r.headers().add(CASE, x.name().getBytes(StandardCharsets.UTF_8));
                x.headers().forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
                try {
                    producer.send(r).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    refusedByBroker.put(x.name(), e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage());
                }
            }
            // After them, on both topics: a valid sample of a new subject, and valid requests.
            SampleRecord ok = new SampleRecord("after-bad-1", late.id(), 2, SampleRecord.TRAIN, Fixture.SHAPE,
                    Fixture.features(new Random(1)));
            producer.send(new ProducerRecord<>(Fixture.SAMPLES, SampleRecordWriter.key(ok), SampleRecordWriter.encode(ok)));
            producer.flush();
            producer.send(Fixture.request("r-after-bad", after));
            producer.send(Fixture.request("r-after-bad-sample", late.id()));
            producer.flush();
        }
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> ExactlyOnceVerdict.terminalCounts(
                ExactlyOnceVerdict.audit(bootstrap)).keySet().containsAll(Set.of("r-after-bad", "r-after-bad-sample",
                "r-null-key")));
        List<AuditEvent> audit = ExactlyOnceVerdict.audit(bootstrap);
        AuditEvent lateDone = audit.stream().filter(e -> e.requestId().equals("r-after-bad-sample")
                && ExactlyOnceVerdict.isTerminal(e)).findFirst().orElseThrow();
        assertThat(lateDone.samplesForgotten()).as("the sample published after the bad ones was indexed").isEqualTo(1);

        Map<String, ConsumerRecord<byte[], byte[]>> dead = new HashMap<>();
        for (String topic : List.of(Fixture.REQUESTS_DLQ, Fixture.SAMPLES_DLQ)) {
            await().atMost(WAIT).until(() -> Fixture.readCommitted(bootstrap, topic).size()
                    >= bad.stream().filter(x -> x.expected().equals(BadInputs.DLQ) && x.topic().equals(
                            topic.equals(Fixture.REQUESTS_DLQ) ? Fixture.REQUESTS : Fixture.SAMPLES)).count());
            for (ConsumerRecord<byte[], byte[]> r : Fixture.readCommitted(bootstrap, topic)) {
                Header c = r.headers().lastHeader(CASE);
                assertThat(c).as("test-case header kept on the dead letter").isNotNull();
                ConsumerRecord<byte[], byte[]> before = dead.put(new String(c.value(), StandardCharsets.UTF_8), r);
                assertThat(before).as("dead-lettered once: %s", new String(c.value(), StandardCharsets.UTF_8)).isNull();
            }
        }
        StringBuilder md = new StringBuilder("# Bad inputs: where each went\n\n| input | topic | went to | reason |\n"
                + "|---|---|---|---|\n");
        for (BadInputs.Bad x : bad) {
            ConsumerRecord<byte[], byte[]> r = dead.get(x.name());
            String where;
            String reason;
            if (refusedByBroker.containsKey(x.name())) {
                where = BadInputs.BROKER;
                reason = refusedByBroker.get(x.name());
            } else if (r != null) {
                where = r.topic();
                reason = new String(r.headers().lastHeader(EventTypes.DEAD_LETTER_REASON).value(), StandardCharsets.UTF_8);
                assertThat(reason).as("reason of %s", x.name()).isNotBlank();
                assertThat(r.key()).as("key kept byte for byte").isEqualTo(x.key());
                assertThat(r.value()).as("value kept byte for byte").isEqualTo(x.value());
            } else {
                Optional<AuditEvent> done = audit.stream().filter(ExactlyOnceVerdict::isTerminal)
                        .filter(e -> x.value() != null && new String(x.value(), StandardCharsets.UTF_8)
                                .contains("\"" + e.requestId() + "\"")).findFirst();
                where = done.map(e -> "accepted: " + e.type().substring(e.type().lastIndexOf('.') + 1)).orElse("nowhere");
                reason = "-";
            }
            md.append("| ").append(x.name()).append(" | ").append(x.topic()).append(" | ").append(where).append(" | ")
                    .append(reason.replace("|", "\\|")).append(" |\n");
            if (x.expected().equals(BadInputs.BROKER)) {
                assertThat(where).as(x.name()).isEqualTo(BadInputs.BROKER);
            } else if (x.expected().equals(BadInputs.DLQ)) {
                assertThat(r).as("%s went to the DLQ", x.name()).isNotNull();
                assertThat(r.topic()).isEqualTo(x.topic().equals(Fixture.REQUESTS) ? Fixture.REQUESTS_DLQ
                        : Fixture.SAMPLES_DLQ);
            } else {
                assertThat(where).as(x.name()).isEqualTo("accepted: completed");
            }
        }
        Files.writeString(Fixture.OUT.resolve("bad-inputs.md"), md.toString());
        System.out.println(md);
        assertThat(daemon.isReady()).as("still ready after the bad inputs").isTrue();
    }

    private static double gauge(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(metrics);
        assertThat(m.find()).as("metric %s", name).isTrue();
        return Double.parseDouble(m.group(2));
    }

    private static String metrics() {
        HttpResponse<String> r = daemon.get("/q/metrics");
        assertThat(r).isNotNull();
        metricsSeen.add(r.body());
        return r.body();
    }

    @Test
    @Order(2)
    void anErasedSubjectIsGoneFromIndexPoolsAndSamplesTopicAndItsLaterSamplesAreRefused() throws Exception {
        String bootstrap = broker.bootstrapServers();
        // A subject with train samples and (added here) holdout samples.
        Fixture.Subject subject = population.subjects().get(1);
        erased = subject.id();
        List<String> holdoutIds = List.of("hold-of-erased-1", "hold-of-erased-2");
        try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
            for (String id : holdoutIds) {
                SampleRecord r = new SampleRecord(id, subject.id(), 4, SampleRecord.HOLDOUT, Fixture.SHAPE,
                        Fixture.features(new Random(id.hashCode())));
                producer.send(new ProducerRecord<>(Fixture.SAMPLES, SampleRecordWriter.key(r), SampleRecordWriter.encode(r)));
            }
            producer.flush();
        }
        long trainTotal = population.records().stream().filter(SampleRecord::isTrain).count() + 1; // + after-bad-1
        long holdoutTotal = population.records().stream().filter(r -> !r.isTrain()).count() + holdoutIds.size();
        // Subjects erased by the first test: population.get(0) and the late one.
        long trainGone = population.subjects().get(0).sampleIds().size() + 1L;
        await().atMost(WAIT).until(() -> gauge(metrics(), "lethe_holdout_samples") == holdoutTotal);
        assertThat(gauge(metrics(), "lethe_retain_samples")).isEqualTo(trainTotal - trainGone);

        try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
            producer.send(Fixture.request("r-erase", subject.id()));
            producer.flush();
        }
        await().atMost(WAIT).until(() -> ExactlyOnceVerdict.terminalCounts(ExactlyOnceVerdict.audit(bootstrap))
                .containsKey("r-erase"));
        AuditEvent done = ExactlyOnceVerdict.audit(bootstrap).stream()
                .filter(e -> e.requestId().equals("r-erase") && ExactlyOnceVerdict.isTerminal(e)).findFirst().orElseThrow();
        assertThat(done.type()).isEqualTo(EventTypes.DELETION_COMPLETED);
        int all = subject.sampleIds().size() + holdoutIds.size();
        assertThat(done.samplesForgotten()).as("train and holdout samples of the subject").isEqualTo(all);

        // The pools: every sample of the subject left the retain buffer and the holdout set.
        String m = metrics();
        assertThat(gauge(m, "lethe_retain_samples")).isEqualTo(trainTotal - trainGone - subject.sampleIds().size());
        assertThat(gauge(m, "lethe_holdout_samples")).isEqualTo(holdoutTotal - holdoutIds.size());

        // The samples topic carries a tombstone for each of them.
        Set<String> expected = new java.util.HashSet<>(subject.sampleIds());
        expected.addAll(holdoutIds);
        Set<String> tombstoned = Fixture.readCommitted(bootstrap, Fixture.SAMPLES).stream()
                .filter(r -> r.value() == null && r.key() != null).map(r -> new String(r.key(), StandardCharsets.UTF_8))
                .collect(Collectors.toSet());
        assertThat(tombstoned).containsAll(expected);

        // A later sample of the subject is refused with a rejected audit event and joins no pool.
        SampleRecord lateSample = new SampleRecord("late-of-erased", subject.id(), 1, SampleRecord.TRAIN, Fixture.SHAPE,
                Fixture.features(new Random(3)));
        try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
            producer.send(new ProducerRecord<>(Fixture.SAMPLES, SampleRecordWriter.key(lateSample),
                    SampleRecordWriter.encode(lateSample)));
            producer.flush();
        }
        String refusedId = SampleIngestor.REFUSED_REQUEST_PREFIX + "late-of-erased";
        await().atMost(WAIT).until(() -> ExactlyOnceVerdict.audit(bootstrap).stream()
                .anyMatch(e -> e.requestId().equals(refusedId)));
        AuditEvent refused = ExactlyOnceVerdict.audit(bootstrap).stream().filter(e -> e.requestId().equals(refusedId))
                .findFirst().orElseThrow();
        assertThat(refused.type()).isEqualTo(EventTypes.DELETION_REJECTED);
        assertThat(refused.reason()).contains("erased");
        assertThat(refused.subjectRef()).isEqualTo(done.subjectRef());
        assertThat(gauge(metrics(), "lethe_retain_samples")).isEqualTo(trainTotal - trainGone - subject.sampleIds().size());

        // The index, read after the daemon stops: nothing of the subject, and the subject marked erased.
        daemon.stop();
        try (RocksSubjectIndex index = Fixture.openIndex(dir.resolve("lethe-data"))) {
            assertThat(index.samplesOf(subject.id())).isEmpty();
            assertThat(index.isErased(subject.id())).isTrue();
            for (String id : expected) {
                assertThat(index.get(id)).as("sample %s in the index", id).isEmpty();
            }
            assertThat(index.get("late-of-erased")).isEmpty();
            assertThat(index.samplesOf(population.subjects().get(2).id())).as("others stay").isNotEmpty();
        }
        // A restart refills the pools from the index: the subject does not come back.
        daemon = LetheProcess.start(log, props, "serve");
        awaitReady();
        String again = metrics();
        assertThat(gauge(again, "lethe_retain_samples")).isEqualTo(trainTotal - trainGone - subject.sampleIds().size());
        assertThat(gauge(again, "lethe_holdout_samples")).isEqualTo(holdoutTotal - holdoutIds.size());
    }

    @Test
    @Order(3)
    void noRawSubjectIdInAnyLogLineMetricOrAuditEvent() throws Exception {
        // One request through the REST API too, so its path is in the log under test.
        String subject = population.subjects().get(3).id();
        HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + daemon.httpPort() + "/deletion-requests"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"subjectId\":\"" + subject + "\",\"requestId\":\"r-rest\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(202);
        String bootstrap = broker.bootstrapServers();
        await().atMost(WAIT).until(() -> ExactlyOnceVerdict.terminalCounts(ExactlyOnceVerdict.audit(bootstrap))
                .containsKey("r-rest"));
        assertThat(daemon.get("/deletion-requests/r-rest").body()).contains("completed");
        metrics();
        daemon.stop();

        String logText = Files.readString(log, StandardCharsets.UTF_8);
        String auditText = Fixture.readCommitted(bootstrap, Fixture.AUDIT).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).collect(Collectors.joining("\n"));
        assertThat(logText.lines().count()).as("log lines captured").isGreaterThan(20);
        assertThat(metricsSeen).isNotEmpty();
        Map<String, Integer> hits = new LinkedHashMap<>();
        for (String id : allSubjectIds) {
            int n = count(logText, id) + metricsSeen.stream().mapToInt(m -> count(m, id)).sum() + count(auditText, id);
            if (n > 0) {
                hits.put(id, n);
            }
        }
        assertThat(hits).as("raw subject ids found in logs, metrics or audit events").isEmpty();
        // Stronger: every generated subject id contains the mark; it must occur nowhere.
        assertThat(logText).doesNotContain(Fixture.SUBJECT_MARK);
        assertThat(auditText).doesNotContain(Fixture.SUBJECT_MARK);
        metricsSeen.forEach(m -> assertThat(m).doesNotContain(Fixture.SUBJECT_MARK));
        Files.writeString(Fixture.OUT.resolve("privacy-scan.md"), "# Privacy scan\n\n| scanned | size |\n|---|---|\n"
                + "| daemon stdout+stderr (all runs of this test) | " + logText.lines().count() + " lines |\n"
                + "| /q/metrics scrapes | " + metricsSeen.size() + " |\n"
                + "| lethe.audit events | " + auditText.lines().count() + " |\n"
                + "| subject ids searched | " + allSubjectIds.size() + " |\n| occurrences found | 0 |\n");
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
