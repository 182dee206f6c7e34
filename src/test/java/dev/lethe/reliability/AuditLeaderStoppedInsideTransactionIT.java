package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/**
 * A three-node cluster in this JVM (each node broker and controller; replication factor 3,
 * {@code min.insync.replicas} 2, the transaction state log likewise): while the daemon has a
 * transaction open that writes {@code lethe.audit}, the leader of that partition is stopped without
 * a controlled shutdown. The daemon goes on with two nodes, then the third comes back.
 */
class AuditLeaderStoppedInsideTransactionIT {

    @Test
    void theAuditLeaderStoppedInsideATransactionLosesAndDuplicatesNoErasure() throws Exception {
        long started = System.nanoTime();
        Path dir = Files.createDirectories(Fixture.OUT.resolve("three-nodes-" + System.currentTimeMillis()));
        int[] brokerPorts = IntStream.range(0, 3).map(i -> LetheProcess.freePort()).toArray();
        int[] controllerPorts = IntStream.range(0, 3).map(i -> LetheProcess.freePort()).toArray();
        String voters = IntStream.range(0, 3).mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts[i])
                .collect(Collectors.joining(","));
        String bootstrap = IntStream.range(0, 3).mapToObj(i -> "127.0.0.1:" + brokerPorts[i])
                .collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        // No controlled shutdown: a stopped node leaves its leaderships where they are until the
        // controller fences it (broker session timeout), as a crashed one would.
        List<Map<String, String>> properties = IntStream.range(0, 3).mapToObj(i -> {
            Map<String, String> p = new LinkedHashMap<>(KRaftNode.properties(i + 1, dir.resolve("kafka-" + (i + 1)),
                    brokerPorts[i], controllerPorts[i], voters, 3));
            p.put("controlled.shutdown.enable", "false");
            return p;
        }).toList();
        List<Path> logDirs = IntStream.range(0, 3).mapToObj(i -> dir.resolve("kafka-" + (i + 1))).toList();
        // A node's start returns once its broker is unfenced, which needs a quorum: start them together.
        List<CompletableFuture<KRaftNode>> starting = properties.stream()
                .map(p -> CompletableFuture.supplyAsync(() -> KRaftNode.start(p, clusterId))).toList();
        List<KRaftNode> nodes = new ArrayList<>();
        for (CompletableFuture<KRaftNode> s : starting) {
            nodes.add(s.get(120, TimeUnit.SECONDS));
        }
        Fixture.Population population = Fixture.Population.generate(17, 48, 48, 2, 4, 60);
        // Subjects 32-47 are never asked to be erased: the retain buffer draws from them.
        Map<String, String> requestSubject = new LinkedHashMap<>();
        Map<String, String> props = Fixture.daemonProperties(bootstrap, dir.resolve("data"), Fixture.model());
        props.put("lethe.kafka.replication-factor", "3");
        try (SupervisedDaemon daemon = new SupervisedDaemon(dir.resolve("lethe.log"), props);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
             KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
            Fixture.awaitReady(daemon.current());
            population.publish(bootstrap);
            Fixture.sendRequests(producer, requestSubject, "r-three", population.subjects().subList(0, 8));
            daemon.awaitTerminal(bootstrap, requestSubject.keySet(), Duration.ofSeconds(120));

            CompletableFuture<String> published = daemon.current().onLine(CrashRecoveryIT::isPublishedLine);
            Fixture.sendRequests(producer, requestSubject, "r-stop", population.subjects().subList(8, 16));
            // The requests' intake and their batch both write lethe.audit in a transaction: stop the
            // leader inside the first one seen open (or, if both came and went between polls, after).
            boolean inside = DaemonTransaction.awaitOpenOnOr(published, admin, Duration.ofSeconds(120), Fixture.AUDIT);
            int leader = admin.describeTopics(List.of(Fixture.AUDIT)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(Fixture.AUDIT).partitions().get(0).leader().id();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(nodes.get(leader - 1)::close);
            System.out.println("[three-nodes] stopping node " + leader + ", leader of " + Fixture.AUDIT
                    + "-0, " + (inside ? "inside a transaction" : "after the batch's transaction"));
            stopping.get(120, TimeUnit.SECONDS);
            nodes.remove(leader - 1);
            daemon.awaitTerminal(bootstrap, requestSubject.keySet(), Duration.ofSeconds(180));
            FaultVerdict.offsetsNotAheadOfOutputs(bootstrap, DaemonTransaction.ID);
            int newLeader = admin.describeTopics(List.of(Fixture.AUDIT)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(Fixture.AUDIT).partitions().get(0).leader().id();
            assertThat(newLeader).as("a new leader for the audit partition").isNotEqualTo(leader);

            Fixture.sendRequests(producer, requestSubject, "r-two", population.subjects().subList(16, 24));
            daemon.awaitTerminal(bootstrap, requestSubject.keySet(), Duration.ofSeconds(120));
            nodes.add(KRaftNode.start(properties.get(leader - 1), clusterId));
            Fixture.sendRequests(producer, requestSubject, "r-back", population.subjects().subList(24, 32));
            daemon.awaitTerminal(bootstrap, requestSubject.keySet(), Duration.ofSeconds(120));
            FaultVerdict.check("3 nodes: audit partition leader stopped inside a transaction", bootstrap, logDirs,
                    requestSubject, population, "1 leader stop (node " + leader + (inside ? ", inside" : ", after")
                            + " a transaction writing the audit topic), 1 node restart; daemon restarts: " + daemon.restarts(),
                    started);
        } finally {
            CompletableFuture.allOf(nodes.stream().map(n -> CompletableFuture.runAsync(n::close))
                    .toArray(CompletableFuture[]::new)).exceptionally(e -> null).get(120, TimeUnit.SECONDS);
        }
    }
}
