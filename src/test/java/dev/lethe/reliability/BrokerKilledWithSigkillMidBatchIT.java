package dev.lethe.reliability;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/**
 * The broker dies with SIGKILL (no controlled shutdown, nothing flushed, transaction state and
 * indexes recovered from an unclean log) while a forget batch's transaction is open (seen from
 * outside with {@code Admin.describeTransactions}),
 * twice, and comes back on the same log directory and port. The daemon is run as an
 * orchestrator would: started again if it exits.
 */
class BrokerKilledWithSigkillMidBatchIT {

    private static final int KILLS = 2;

    @Test
    void aBrokerKilledMidBatchTwiceLosesAndDuplicatesNoErasure() throws Exception {
        long started = System.nanoTime();
        Path dir = Files.createDirectories(Fixture.OUT.resolve("broker-sigkill-" + System.currentTimeMillis()));
        int brokerPort = LetheProcess.freePort();
        int controllerPort = LetheProcess.freePort();
        String bootstrap = "127.0.0.1:" + brokerPort;
        Map<String, String> node = KRaftNode.properties(1, dir.resolve("kafka"), brokerPort, controllerPort,
                "1@127.0.0.1:" + controllerPort, 1);
        String clusterId = Uuid.randomUuid().toString();
        Fixture.Population population = Fixture.Population.generate(15, 50, 50, 2, 4, 60);
        // Subjects 30-49 are never asked to be erased: the retain buffer draws from them.
        Map<String, String> requestSubject = new LinkedHashMap<>();
        List<String> landed = new ArrayList<>();
        Path brokerLog = dir.resolve("broker.log");
        BrokerProcess broker = BrokerProcess.start(node, clusterId, brokerLog);
        try (SupervisedDaemon daemon = new SupervisedDaemon(dir.resolve("lethe.log"),
                Fixture.daemonProperties(bootstrap, dir.resolve("data"), Fixture.model()))) {
            awaitBroker(bootstrap);
            Fixture.awaitReady(daemon.current());
            population.publish(bootstrap);
            for (int k = 0; k < KILLS; k++) {
                LetheProcess current = daemon.current();
                CompletableFuture<String> closed = current.onLine(l -> l.contains("forget batch closed"));
                CompletableFuture<String> published = current.onLine(CrashRecoveryIT::isPublishedLine);
                try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
                    Fixture.sendRequests(producer, requestSubject, "r-kill" + k,
                            population.subjects().subList(k * 10, k * 10 + 10));
                }
                closed.get(120, TimeUnit.SECONDS);
                // Kill as soon as the batch's transaction is seen open; if it commits before the poll
                // sees it, the kill lands right after the publish instead.
                boolean open;
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                    open = DaemonTransaction.awaitOpenOnOr(published, admin, Duration.ofSeconds(120), Fixture.VERSIONS);
                    broker.kill();
                }
                landed.add(open ? "seen open just before the kill" : "after the publish");
                System.out.println("[broker-sigkill] kill " + (k + 1) + ": " + landed.get(k));
                broker = BrokerProcess.start(node, clusterId, brokerLog);
                awaitBroker(bootstrap);
                daemon.awaitTerminal(bootstrap, requestSubject.keySet(), Duration.ofSeconds(180));
                FaultVerdict.offsetsNotAheadOfOutputs(bootstrap, DaemonTransaction.ID);
            }
            try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
                Fixture.sendRequests(producer, requestSubject, "r-last", population.subjects().subList(KILLS * 10, KILLS * 10 + 10));
            }
            daemon.awaitTerminal(bootstrap, requestSubject.keySet(), Duration.ofSeconds(120));
            FaultVerdict.check("broker SIGKILL mid-batch, restart on the same log dir", bootstrap,
                    List.of(dir.resolve("kafka")), requestSubject, population,
                    KILLS + " broker SIGKILLs (" + landed.stream().filter(l -> l.startsWith("seen open")).count()
                            + " with the batch's transaction seen open just before); daemon restarts: " + daemon.restarts(), started);
        } finally {
            broker.close();
        }
    }

    static void awaitBroker(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty());
        }
    }
}
