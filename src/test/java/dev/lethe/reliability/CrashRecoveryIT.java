package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.requests.RocksSubjectIndex;
import dev.lethe.daemon.kafka.EmbeddedKafka;
import dev.lethe.testing.InJvmKafka;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

/**
 * Kafka's transactions system test, for Lethe: the packaged daemon in its own JVM against a real
 * broker, about 2,000 deletion requests for 500 subjects, {@value #KILLS} SIGKILLs aimed at the
 * windows that matter (start-up, mid-batch, between artifact write and publish, inside and just
 * after the transaction), a restart after each, then a broker restart in the middle of a batch —
 * and then the exactly-once checks from the topics alone ({@link ExactlyOnceVerdict}).
 */
class CrashRecoveryIT {

    static final int KILLS = 20;
    /** Subjects sent deletion requests: 450 with samples, 50 Lethe never saw. */
    static final int SUBJECTS = 500;
    static final int WITH_SAMPLES = 450;
    /** Subjects with samples nobody asks to erase: what the retain buffer and holdout keep drawing from. */
    static final int BYSTANDERS = 250;
    static final int REQUESTS_PER_SUBJECT = 4;
    static final int RESENT = 100;
    private static final Duration READY = Duration.ofSeconds(120);
    private static final Duration TRIGGER = Duration.ofSeconds(40);
    private static final Pattern ARTIFACT = Pattern.compile("v(\\d+)\\.lethe");

    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("crash");
    static Path dir;
    static EmbeddedKafka broker;
    static Path model;

    @BeforeAll
    static void brokerAndModel() throws Exception {
        dir = KAFKA.dir();
        broker = KAFKA.broker();
        model = Fixture.model();
    }


    /** Where a kill landed, as seen from outside at the moment of the kill. */
    enum Window {
        START_UP("during start-up / recovery (not ready yet)"),
        MID_BATCH("mid-batch: unlearning or verifying, nothing staged"),
        STAGED("artifact written, not yet published"),
        IN_BATCH_TX("inside the batch transaction (open on lethe.model-versions)"),
        AFTER_COMMIT("just after the batch commit (before local index update)"),
        IN_INTAKE_TX("inside an intake transaction (open on lethe.audit)"),
        IDLE("between batches");

        final String text;

        Window(String text) {
            this.text = text;
        }
    }

    @Test
    void twentySigkillsAndABrokerRestartLoseNothingAndDuplicateNothing() throws Exception {
        long started = System.nanoTime();
        Fixture.Population population = Fixture.Population.generate(42,
                SUBJECTS + BYSTANDERS, WITH_SAMPLES + BYSTANDERS, 2, 6, 200);
        String bootstrap = broker.bootstrapServers();
        // The daemon creates its topics; the samples go out once they exist.
        Path dataDir = dir.resolve("lethe-data");
        Path log = dir.resolve("lethe.log");
        Map<String, String> props = Fixture.daemonProperties(bootstrap, dataDir, model);

        Map<String, String> requestSubject = new LinkedHashMap<>();
        List<String[]> sendOrder = new ArrayList<>();
        Random rng = new Random(7);
        List<Fixture.Subject> requested = new ArrayList<>(population.subjects().subList(0, WITH_SAMPLES));
        requested.addAll(population.subjects().subList(WITH_SAMPLES + BYSTANDERS, SUBJECTS + BYSTANDERS));
        for (Fixture.Subject s : requested) {
            for (int k = 0; k < REQUESTS_PER_SUBJECT; k++) {
                String id = "req-" + s.id().substring(7, 11) + "-" + k;
                requestSubject.put(id, s.id());
                sendOrder.add(new String[] {id, s.id()});
            }
        }
        Collections.shuffle(sendOrder, rng);
        for (int i = 0; i < RESENT; i++) { // the same request id again, later: must not run twice
            int j = rng.nextInt(sendOrder.size() / 2);
            sendOrder.add(sendOrder.size() / 2 + rng.nextInt(sendOrder.size() / 2), sendOrder.get(j));
        }
        int slices = KILLS + 1;
        int perSlice = (sendOrder.size() + slices - 1) / slices;

        Map<Window, Integer> landed = new TreeMap<>();
        Map<String, Integer> aimed = new TreeMap<>();
        int unpublishedRemoved = 0;
        LetheProcess daemon = LetheProcess.start(log, props, "serve");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
             KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
            awaitReady(daemon);
            population.publish(bootstrap);
            for (int kill = 0; kill < KILLS; kill++) {
                LetheProcess current = daemon;
                Tracker tracker = new Tracker(current);
                int aim = kill % 6;
                if (aim != 5) {
                    awaitReady(current);
                    tracker.ready = true;
                }
                send(producer, sendOrder, kill * perSlice, perSlice);
                CompletableFuture<?> trigger = switch (aim) {
                    case 0 -> delayed(current.onLine(l -> l.contains("forget batch closed")), rng.nextInt(400));
                    case 1 -> CompletableFuture.supplyAsync(() -> awaitStagedArtifact(dataDir, bootstrap));
                    case 2 -> CompletableFuture.supplyAsync(() -> awaitOpenBatchTransaction(admin));
                    case 3 -> current.onLine(CrashRecoveryIT::isPublishedLine);
                    case 4 -> delayed(CompletableFuture.completedFuture(""), 200 + rng.nextInt(3000));
                    default -> delayed(CompletableFuture.completedFuture(""), 300 + rng.nextInt(3500));
                };
                String aimName = switch (aim) {
                    case 0 -> "on 'forget batch closed' + 0-400 ms";
                    case 1 -> "on a new artifact file in the registry";
                    case 2 -> "on an open transaction on lethe.model-versions";
                    case 3 -> "on the 'published' log line";
                    case 4 -> "0.2-3.2 s after ready";
                    default -> "0.3-3.8 s after process start";
                };
                aimed.merge(aimName, 1, Integer::sum);
                boolean seen;
                try {
                    seen = !Boolean.FALSE.equals(trigger.get(TRIGGER.toMillis(), TimeUnit.MILLISECONDS));
                } catch (java.util.concurrent.TimeoutException e) {
                    seen = false;
                }
                if (!seen) {
                    aimed.merge("(trigger not seen in " + TRIGGER.toSeconds() + " s, killed anyway)", 1, Integer::sum);
                }
                if (aim == 5) {
                    tracker.ready = current.isReady();
                }
                current.kill();
                Window w = classify(admin, bootstrap, dataDir, tracker);
                landed.merge(w, 1, Integer::sum);
                System.out.printf("[crash] kill %2d (%s): %s%n", kill + 1, aimName, w.text);
                daemon = LetheProcess.start(log, props, "serve");
            }

            // The broker restarts (same log directory, same port) while a batch is being worked on.
            awaitReady(daemon);
            CompletableFuture<String> batch = daemon.onLine(l -> l.contains("forget batch closed"));
            send(producer, sendOrder, KILLS * perSlice, sendOrder.size());
            batch.get(TRIGGER.toMillis(), TimeUnit.MILLISECONDS);
            KAFKA.restart();
            broker = KAFKA.broker();
            System.out.println("[crash] broker restarted on the same log directory mid-batch");
        }
        final LetheProcess last = daemon;
        try {
            // Everything finishes on the last daemon, without a restart by hand.
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                assertThat(last.isAlive()).as("the daemon survived the broker restart").isTrue();
                Map<String, Integer> t = ExactlyOnceVerdict.terminalCounts(ExactlyOnceVerdict.audit(bootstrap));
                return requestSubject.keySet().stream().allMatch(t::containsKey);
            });
            await().atMost(READY).until(last::isReady);
            List<ModelVersionEvent> versions = ExactlyOnceVerdict.versions(bootstrap);
            HttpResponse<String> current = last.get("/models/current");
            assertThat(current.statusCode()).isEqualTo(200);
            assertThat(current.body()).contains("\"version\":" + versions.get(versions.size() - 1).version());
        } finally {
            last.stop();
        }

        // The index, read after the graceful stop: nothing left of any erased subject; bystanders intact.
        int notMarked = 0;
        try (RocksSubjectIndex index = Fixture.openIndex(dataDir)) {
            for (Fixture.Subject s : requested) {
                assertThat(index.samplesOf(s.id())).as("indexed samples of an erased subject").isEmpty();
                for (String id : s.sampleIds()) {
                    assertThat(index.get(id)).as("sample %s of an erased subject", id).isEmpty();
                }
                if (!s.sampleIds().isEmpty() && !index.isErased(s.id())) {
                    notMarked++; // crash between commit and index write: known erased from the audit topic
                }
            }
            for (Fixture.Subject s : population.subjects().subList(WITH_SAMPLES, WITH_SAMPLES + BYSTANDERS)) {
                assertThat(index.samplesOf(s.id())).as("a bystander's samples").hasSize(s.sampleIds().size());
            }
        }
        System.out.println("[crash] erased subjects not marked in the index (known from lethe.audit): " + notMarked);
        ExactlyOnceVerdict.Counts counts = ExactlyOnceVerdict.check(bootstrap, requestSubject, population);
        String logText = Files.readString(log, StandardCharsets.UTF_8);
        Matcher removed = Pattern.compile("removed (\\d+) unpublished artifact").matcher(logText);
        while (removed.find()) {
            unpublishedRemoved += Integer.parseInt(removed.group(1));
        }
        assertThat(logText).as("a raw subject id in the daemon's log").doesNotContain(Fixture.SUBJECT_MARK);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        report(counts, sendOrder.size(), landed, aimed, unpublishedRemoved, seconds);
        assertThat(landed.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(KILLS);
        assertThat(counts.lost()).isZero();
        assertThat(counts.duplicated()).isZero();
        // A request acknowledged before a kill is not acknowledged again after the restart.
        assertThat(counts.receivedEvents()).as("received audit events").isEqualTo(counts.validRequests());
        assertThat(counts.escalated()).as("escalations (the gate is permissive)").isZero();
    }

    /** What the test saw of one process's life, to tell where a kill landed. */
    static final class Tracker {
        volatile boolean ready;
        volatile String lastBatchLine = "";

        Tracker(LetheProcess p) {
            watch(p);
        }

        private void watch(LetheProcess p) {
            p.onLine(l -> l.contains("forget batch closed") || isPublishedLine(l)
                    || l.contains("escalated")).thenAccept(l -> {
                        lastBatchLine = l;
                        watch(p);
                    });
        }
    }

    private static final Pattern PUBLISHED = Pattern.compile(".* published \\S+ v\\d+: .*");

    static boolean isPublishedLine(String line) {
        return PUBLISHED.matcher(line).matches();
    }

    private static Window classify(Admin admin, String bootstrap, Path dataDir, Tracker tracker) throws Exception {
        if (openTransaction(admin, Fixture.VERSIONS)) {
            return Window.IN_BATCH_TX;
        }
        long published = ExactlyOnceVerdict.versions(bootstrap).size();
        if (maxArtifact(dataDir) > published) {
            return Window.STAGED;
        }
        if (!tracker.ready) {
            return Window.START_UP;
        }
        if (tracker.lastBatchLine.contains("forget batch closed")) {
            return Window.MID_BATCH;
        }
        if (isPublishedLine(tracker.lastBatchLine)) {
            return Window.AFTER_COMMIT;
        }
        if (openTransaction(admin, Fixture.AUDIT)) {
            return Window.IN_INTAKE_TX;
        }
        return Window.IDLE;
    }

    /** Whether a topic has an open transaction: its last stable offset is behind its high watermark. */
    private static boolean openTransaction(Admin admin, String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        long committed = admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).partitionResult(tp).get().offset();
        long all = admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
                new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).partitionResult(tp).get().offset();
        return committed < all;
    }

    private static long maxArtifact(Path dataDir) throws IOException {
        Path registry = dataDir.resolve("registry");
        if (!Files.isDirectory(registry)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(registry)) {
            return files.map(p -> ARTIFACT.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches).mapToLong(m -> Long.parseLong(m.group(1))).max().orElse(0);
        } catch (java.io.UncheckedIOException e) {
            // The daemon renamed a temp file between the listing and its stat: the registry is
            // changing under the walk; report nothing this time, the caller polls again.
            if (e.getCause() instanceof java.nio.file.NoSuchFileException) {
                return 0;
            }
            throw e;
        }
    }

    /** Returns once an artifact newer than the last published version is on disk (polls every 2 ms). */
    private static boolean awaitStagedArtifact(Path dataDir, String bootstrap) {
        long published = ExactlyOnceVerdict.versions(bootstrap).size();
        long deadline = System.nanoTime() + TRIGGER.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (maxArtifact(dataDir) > published) {
                    return true;
                }
                Thread.sleep(2);
            }
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Returns once lethe.model-versions has an open transaction: a batch is being published. */
    private static boolean awaitOpenBatchTransaction(Admin admin) {
        long deadline = System.nanoTime() + TRIGGER.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (openTransaction(admin, Fixture.VERSIONS)) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static CompletableFuture<?> delayed(CompletableFuture<?> f, long millis) {
        return f.thenCompose(x -> CompletableFuture.runAsync(() -> { },
                CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS)));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, List<String[]> order, int from, int count) {
        for (int i = from; i < Math.min(order.size(), from + count); i++) {
            producer.send(Fixture.request(order.get(i)[0], order.get(i)[1]));
        }
        producer.flush();
    }

    private static void awaitReady(LetheProcess p) {
        await().atMost(READY).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(p.isAlive()).as("daemon process alive").isTrue();
            return p.isReady();
        });
    }

    private static void report(ExactlyOnceVerdict.Counts c, int recordsSent, Map<Window, Integer> landed,
            Map<String, Integer> aimed, int unpublishedRemoved, long seconds) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Crash recovery: measured\n\n| figure | value |\n|---|---|\n");
        md.append("| SIGKILLs of the daemon (each followed by a restart) | ").append(KILLS).append(" |\n");
        md.append("| broker restarts mid-batch (same log directory) | 1 |\n");
        md.append("| subjects asked to be erased (with samples / never seen) | ").append(SUBJECTS).append(" (")
                .append(WITH_SAMPLES).append(" / ").append(SUBJECTS - WITH_SAMPLES).append(") |\n");
        md.append("| bystander subjects with samples (never asked) | ").append(BYSTANDERS).append(" |\n");
        md.append("| request records sent (incl. ").append(RESENT).append(" resent ids) | ").append(recordsSent)
                .append(" |\n");
        md.append("| distinct valid request ids | ").append(c.validRequests()).append(" |\n");
        md.append("| terminal audit events | ").append(c.terminalEvents()).append(" (completed ")
                .append(c.completed()).append(", escalated ").append(c.escalated()).append(") |\n");
        md.append("| lost (no terminal event) | ").append(c.lost()).append(" |\n");
        md.append("| duplicated (> 1 terminal event) | ").append(c.duplicated()).append(" |\n");
        md.append("| model versions published | ").append(c.versions()).append(" |\n");
        md.append("| sample tombstones / sample ids tombstoned twice | ").append(c.tombstones()).append(" / ")
                .append(c.duplicateTombstones()).append(" |\n");
        md.append("| audit events (received events: one per valid request) | ").append(c.auditEvents())
                .append(" (").append(c.receivedEvents()).append(") |\n");
        md.append("| unpublished artifacts removed at restart | ").append(unpublishedRemoved).append(" |\n");
        md.append("| wall time of the test | ").append(seconds).append(" s |\n\n");
        md.append("Where the kills landed (seen from outside at the moment of the kill):\n\n| window | kills |\n|---|---|\n");
        landed.forEach((w, n) -> md.append("| ").append(w.text).append(" | ").append(n).append(" |\n"));
        md.append("\nHow they were aimed:\n\n| trigger | kills |\n|---|---|\n");
        aimed.forEach((a, n) -> md.append("| ").append(a).append(" | ").append(n).append(" |\n"));
        Files.writeString(Fixture.OUT.resolve("crash-recovery.md"), md.toString());
        System.out.println(md);
    }

}
