package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/**
 * Jepsen's zombie: a daemon frozen ({@code kill -STOP}) with a batch's transaction open, for longer
 * than its transaction timeout, while a second instance of the same model takes over. After
 * {@code kill -CONT} the old one must find itself fenced and never publish: its open transaction
 * was aborted by the coordinator, and nothing it wrote is visible to {@code read_committed}.
 *
 * <p>The daemon talks to the broker through a {@link FaultProxy} that delays every chunk by
 * 150 ms, so the batch's transaction stays open long enough to be caught from outside.
 */
class ZombieAfterSigstopIsFencedIT {

    @Test
    void aDaemonFrozenPastItsTransactionTimeoutIsFencedByItsSuccessorAndNeverPublishesAfterSigcont() throws Exception {
        long started = System.nanoTime();
        Path dir = Files.createDirectories(Fixture.OUT.resolve("zombie-" + System.currentTimeMillis()));
        int brokerPort = LetheProcess.freePort();
        int controllerPort = LetheProcess.freePort();
        int proxiedPort = LetheProcess.freePort();
        Fixture.Population population = Fixture.Population.generate(14, 24, 24, 3, 4, 60);
        List<Fixture.Subject> subjects = population.subjects();
        Map<String, String> requestSubject = new LinkedHashMap<>();
        Path model = Fixture.model();
        Path logA = dir.resolve("lethe-a.log");
        try (FaultProxy proxy = new FaultProxy(proxiedPort, 14);
             KRaftNode node = KRaftNode.start(KRaftNode.withProxiedListener(KRaftNode.properties(1, dir.resolve("kafka"),
                     brokerPort, controllerPort, "1@127.0.0.1:" + controllerPort, 1), proxiedPort, proxy.port()),
                     Uuid.randomUuid().toString());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + brokerPort));
             KafkaProducer<byte[], byte[]> producer = Fixture.producer("127.0.0.1:" + brokerPort)) {
            String direct = "127.0.0.1:" + brokerPort;
            Map<String, String> propsA = Fixture.daemonProperties("127.0.0.1:" + proxy.port(), dir.resolve("data-a"), model);
            propsA.put("lethe.kafka.transaction-timeout", "5s");
            TransactionDescription frozen;
            List<String> publishedBeforeFreeze;
            try (LetheProcess a = LetheProcess.start(logA, propsA, "serve")) {
                Fixture.awaitReady(a);
                population.publish(direct);
                Fixture.sendRequests(producer, requestSubject, "r-before", subjects.subList(0, 6));
                Fixture.awaitTerminal(direct, requestSubject.keySet(), Duration.ofSeconds(120));

                // Every chunk between A and the broker now takes 150 ms: A's next publish stays open for seconds.
                proxy.faults(FaultProxy.Faults.delayEveryChunk(150));
                CompletableFuture<String> closed = a.onLine(l -> l.contains("forget batch closed"));
                Fixture.sendRequests(producer, requestSubject, "r-frozen", subjects.subList(6, 12));
                closed.get(120, TimeUnit.SECONDS);
                DaemonTransaction.awaitOpenOn(admin, Duration.ofSeconds(120), Fixture.VERSIONS);
                Signals.stop(a.pid());
                frozen = DaemonTransaction.describe(admin);
                publishedBeforeFreeze = published(logA);
                assertThat(frozen.state()).as("A froze with its batch's transaction open").isEqualTo(TransactionState.ONGOING);
                System.out.println("[zombie] A frozen with " + frozen);

                // Past the 5 s timeout the coordinator aborts A's transaction on its own.
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> DaemonTransaction.describe(admin).state(),
                                s -> s == TransactionState.COMPLETE_ABORT || s == TransactionState.EMPTY);
                // B: the same model (transactional id, group instance id), on the shared registry.
                FencingIT.copy(dir.resolve("data-a").resolve("registry"), dir.resolve("data-b").resolve("registry"));
                try (LetheProcess b = LetheProcess.start(dir.resolve("lethe-b.log"),
                        Fixture.daemonProperties(direct, dir.resolve("data-b"), model), "serve")) {
                    Fixture.awaitReady(b);
                    Fixture.awaitTerminal(direct, requestSubject.keySet(), Duration.ofSeconds(120));
                    proxy.faults(FaultProxy.Faults.NONE);
                    Signals.resume(a.pid());
                    Fixture.sendRequests(producer, requestSubject, "r-after", subjects.subList(12, 18));
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                            .until(() -> !a.isAlive() || !a.isReady());
                    Fixture.awaitTerminal(direct, requestSubject.keySet(), Duration.ofSeconds(120));
                    assertThat(b.isReady()).as("B serves on").isTrue();
                }
            }
            String aLog = Files.readString(logA, StandardCharsets.UTF_8);
            System.out.println("[zombie] A published " + publishedBeforeFreeze + "; after SIGCONT: " + aLog.lines()
                    .filter(l -> l.contains("can no longer publish") || l.contains("enced")).findFirst().orElse("?"));
            assertThat(published(logA)).as("A never published after the freeze").isEqualTo(publishedBeforeFreeze);
            FaultVerdict.Figures figures = FaultVerdict.check("SIGSTOP of the daemon past its transaction timeout",
                    direct, List.of(dir.resolve("kafka")), requestSubject, population,
                    "1 SIGSTOP (" + "open txn on " + frozen.topicPartitions().size() + " partitions), 1 SIGCONT",
                    started);
            assertThat(figures.aborted().indexEntries()).as("A's frozen transaction was aborted").isPositive();
        }
    }

    private static List<String> published(Path log) throws Exception {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(CrashRecoveryIT::isPublishedLine).toList();
    }
}
