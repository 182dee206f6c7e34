package dev.lethe.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One KRaft node (broker and controller) from plain {@code server.properties}, the way
 * {@code kafka.Kafka} runs one: in this JVM ({@link #start}) or, through {@link #main}, as its own
 * process that a test can SIGKILL. Unlike the daemon's {@code EmbeddedKafka} the listeners are the
 * test's to choose: a cluster of several voters, or a second listener that advertises a
 * {@link FaultProxy}'s address so that clients keep going through the proxy after bootstrap.
 */
final class KRaftNode implements AutoCloseable {

    static final String HOST = "127.0.0.1";
    /** The listener whose advertised address is a proxy's. */
    static final String PROXIED = "PROXIED";

    private final KafkaRaftServer server;

    private KRaftNode(KafkaRaftServer server) {
        this.server = server;
    }

    /**
     * The properties of node {@code nodeId} of a cluster whose voters are {@code voters}
     * ({@code 1@127.0.0.1:port,...}); {@code replicas} is the replication factor of every internal
     * and default topic, with a minimum in-sync replicas of {@code max(1, replicas - 1)}.
     */
    static Map<String, String> properties(int nodeId, Path dir, int brokerPort, int controllerPort, String voters,
            int replicas) {
        String minIsr = Integer.toString(Math.max(1, replicas - 1));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT," + PROXIED + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dir.toAbsolutePath().toString());
        p.put("metadata.log.dir", dir.toAbsolutePath().toString());
        p.put("transaction.state.log.replication.factor", Integer.toString(replicas));
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("offsets.topic.replication.factor", Integer.toString(replicas));
        p.put("share.coordinator.state.topic.replication.factor", Integer.toString(replicas));
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("default.replication.factor", Integer.toString(replicas));
        p.put("min.insync.replicas", minIsr);
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // A timed-out transaction is aborted within a second of its timeout, not up to ten.
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        return p;
    }

    /** Adds a listener on {@code port} that advertises {@code advertisedPort} (a proxy in front of it). */
    static Map<String, String> withProxiedListener(Map<String, String> p, int port, int advertisedPort) {
        Map<String, String> q = new LinkedHashMap<>(p);
        q.put("listeners", p.get("listeners") + "," + PROXIED + "://" + HOST + ":" + port);
        q.put("advertised.listeners", p.get("advertised.listeners") + "," + PROXIED + "://" + HOST + ":" + advertisedPort);
        return q;
    }

    /** Formats the node's directory when new ({@code kafka-storage.sh format}) and starts it. */
    static KRaftNode start(Map<String, String> properties, String clusterId) {
        KafkaConfig config = new KafkaConfig(properties, false);
        Path dir = Path.of(properties.get("log.dirs"));
        try {
            if (!Files.exists(dir.resolve("meta.properties"))) {
                Files.createDirectories(dir);
                new Formatter().setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                        .setNodeId(config.nodeId()).setClusterId(clusterId)
                        .setDirectories(List.of(dir.toString())).setMetadataLogDirectory(dir.toString())
                        .setControllerListenerName("CONTROLLER")
                        .setReleaseVersion(MetadataVersion.latestProduction()).run();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot format " + dir, e);
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return new KRaftNode(server);
    }

    /** A controlled shutdown of this node (broker, then controller). */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    /** {@code KRaftNode <server.properties> <cluster id>}: runs one node until the process is killed. */
    public static void main(String[] args) throws IOException {
        Properties file = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            file.load(in);
        }
        Map<String, String> properties = new LinkedHashMap<>();
        file.stringPropertyNames().forEach(k -> properties.put(k, file.getProperty(k)));
        KRaftNode node = start(properties, args[1]);
        System.out.println("KRaftNode " + properties.get("node.id") + " started");
        Runtime.getRuntime().addShutdownHook(new Thread(node::close));
        node.server.awaitShutdown();
    }

    /** Writes {@code properties} as a {@code server.properties} file for {@link #main}. */
    static Path write(Map<String, String> properties, Path file) {
        Properties p = new Properties();
        p.putAll(properties);
        try (var out = Files.newOutputStream(file)) {
            p.store(out, "KRaftNode");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
