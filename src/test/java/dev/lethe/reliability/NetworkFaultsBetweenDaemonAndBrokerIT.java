package dev.lethe.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/**
 * Every connection between the daemon and the broker goes through a {@link FaultProxy} that, from
 * a seeded random sequence, delays chunks (up to 250 ms), resets connections and turns
 * connections into black holes, while {@value #SLICES} slices of requests are carried out one after the
 * other; in each slice, every connection is also reset at once while the batch's transaction is
 * open (when the poll sees it open). The broker advertises the proxy on the listener the daemon uses, so the daemon cannot
 * bypass it after bootstrap; the test's own clients use a direct listener.
 */
class NetworkFaultsBetweenDaemonAndBrokerIT {

    private static final FaultProxy.Faults CHAOS = new FaultProxy.Faults(0.5, 1, 250, 0.04, 0.01);
    private static final int SLICES = 3; // 5 in the measured table of docs/reliability.md; 3 keeps CI in its budget

    @Test
    void delayedCutAndBlackholedConnectionsLoseAndDuplicateNoErasure() throws Exception {
        long started = System.nanoTime();
        Path dir = Files.createDirectories(Fixture.OUT.resolve("network-faults-" + System.currentTimeMillis()));
        int brokerPort = LetheProcess.freePort();
        int controllerPort = LetheProcess.freePort();
        int proxiedPort = LetheProcess.freePort();
        String direct = "127.0.0.1:" + brokerPort;
        Fixture.Population population = Fixture.Population.generate(16, 60, 60, 2, 4, 60);
        // Subjects 40-59 are never asked to be erased: the retain buffer draws from them.
        Map<String, String> requestSubject = new LinkedHashMap<>();
        try (FaultProxy proxy = new FaultProxy(proxiedPort, 16);
             KRaftNode node = KRaftNode.start(KRaftNode.withProxiedListener(KRaftNode.properties(1, dir.resolve("kafka"),
                     brokerPort, controllerPort, "1@127.0.0.1:" + controllerPort, 1), proxiedPort, proxy.port()),
                     Uuid.randomUuid().toString())) {
            Map<String, String> props = Fixture.daemonProperties("127.0.0.1:" + proxy.port(), dir.resolve("data"),
                    Fixture.model());
            // A black-holed request is given up after 10 s (30 s by default) and retried on a new connection.
            props.put("lethe.kafka.client.request.timeout.ms", "10000");
            try (SupervisedDaemon daemon = new SupervisedDaemon(dir.resolve("lethe.log"), props);
                 KafkaProducer<byte[], byte[]> producer = Fixture.producer(direct);
                 Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, direct))) {
                Fixture.awaitReady(daemon.current());
                population.publish(direct);
                // The faults hit erasures, not the bulk backfill: a fetch of hundreds of kB spans
                // dozens of chunks and almost never gets through this chaos whole (0.95^40 ≈ 13 %),
                // which starved the ingest for minutes in one CI run.
                Fixture.awaitIndexed(daemon.current(), population);
                proxy.faults(CHAOS);
                int resetsInsideTransactions = 0;
                for (int k = 0; k < SLICES; k++) {
                    LetheProcess current = daemon.current();
                    CompletableFuture<String> closed = current.onLine(l -> l.contains("forget batch closed"));
                    CompletableFuture<String> published = current.onLine(CrashRecoveryIT::isPublishedLine);
                    Fixture.sendRequests(producer, requestSubject, "r-slice" + k,
                            population.subjects().subList(k * 8, k * 8 + 8));
                    // And every connection reset at once while the batch's transaction is open (unless
                    // the faults made the daemon exit first: then the supervisor restarts it).
                    if (daemon.awaitLine(closed, current, Duration.ofSeconds(150))
                            && DaemonTransaction.awaitOpenOnOr(CompletableFuture.anyOf(published, current.exited()), admin,
                                    Duration.ofSeconds(150), Fixture.VERSIONS)) {
                        proxy.cutAll();
                        resetsInsideTransactions++;
                    }
                    daemon.awaitTerminal(direct, requestSubject.keySet(), Duration.ofSeconds(150));
                    FaultVerdict.offsetsNotAheadOfOutputs(direct, DaemonTransaction.ID);
                    System.out.println("[network-faults] slice " + k + " done; " + proxy.injected());
                }
                proxy.faults(FaultProxy.Faults.NONE);
                FaultProxy.Injected injected = proxy.injected();
                FaultVerdict.check("proxy: delays, resets, black holes", direct, List.of(dir.resolve("kafka")),
                        requestSubject, population, injected.faults() + " over " + injected.connections()
                                + " connections (" + injected.delays() + " delays, " + injected.cuts() + " resets, "
                                + injected.blackholes() + " black holes; all connections reset at once inside "
                                + resetsInsideTransactions + " batch transactions); daemon restarts: " + daemon.restarts(),
                        started);
            }
        }
    }
}
