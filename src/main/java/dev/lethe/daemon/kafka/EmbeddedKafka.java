package dev.lethe.daemon.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.server.Server;
import kafka.server.SharedServer;
import kafka.server.StandardFaultHandlerFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.raft.QuorumConfig;
import org.apache.kafka.server.common.MetadataVersion;
import org.jboss.logging.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * A real Kafka broker inside this JVM: one KRaft node that is both broker and controller, listening
 * on 127.0.0.1 only. Used by {@code serve --embedded-kafka}, {@code demo} and the {@code *IT} tests.
 *
 * <p>It runs the same server components as {@code kafka.Kafka} ({@link KafkaRaftServer} assembles
 * exactly these), with two differences: both listeners are bound by this class before the node
 * starts, so a requested port of 0 works and the controller's port is known for
 * {@code controller.quorum.voters} without a bind race; and the log directory is formatted here
 * (what {@code kafka-storage.sh format} does) when it has no {@code meta.properties} yet. A
 * restart on the same directory therefore keeps topics, committed records, consumer-group offsets
 * and transaction state. Fatal broker faults halt the JVM, as they do in a standalone broker.
 *
 * <p>Why not {@code KafkaClusterTestKit} (kafka-test-common-runtime): it binds its listeners on
 * the wildcard address with random ports whatever {@code listeners} says, formats fresh metadata
 * (new directory ids, unstable metadata version) on every build and refuses an already formatted
 * directory, swallows fatal faults in a mock handler, and brings JUnit onto the runtime class path.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** The port {@code serve --embedded-kafka} listens on unless told otherwise. */
    public static final int DEFAULT_PORT = 9092;

    private static final Logger LOG = Logger.getLogger(EmbeddedKafka.class);
    /** The loopback address both listeners bind to. */
    static final String HOST = "127.0.0.1";
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int NODE_ID = 1;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final Path logDir;
    private final boolean deleteLogDirOnClose;
    private final String clusterId;
    private final int port;
    private final BrokerServer broker;
    private final ControllerServer controller;
    private final Object adminLock = new Object();
    private Admin admin;
    private boolean closed;

    private EmbeddedKafka(Path logDir, boolean deleteLogDirOnClose, String clusterId, int port,
                          BrokerServer broker, ControllerServer controller) {
        this.logDir = logDir;
        this.deleteLogDirOnClose = deleteLogDirOnClose;
        this.clusterId = clusterId;
        this.port = port;
        this.broker = broker;
        this.controller = controller;
    }

    /**
     * Starts a broker on {@code port} (0: any free port) with its data in a new temporary directory
     * that is deleted again by {@link #close()}.
     */
    public static EmbeddedKafka start(int port) {
        return start(port, null, Map.of());
    }

    /**
     * Starts a broker on {@code port} (0: any free port) keeping its data in {@code logDir}: an
     * empty or missing directory is formatted as a new single-node cluster, a directory from an
     * earlier run is reopened with its topics and records. {@code null} means a temporary
     * directory that {@link #close()} deletes.
     */
    public static EmbeddedKafka start(int port, Path logDir) {
        return start(port, logDir, Map.of());
    }

    /**
     * As {@link #start(int, Path)}, with broker settings that replace the defaults (any key of the
     * broker's {@code server.properties}, e.g. {@code log.retention.hours}). Listener, quorum and
     * directory settings are this class's and cannot be overridden.
     */
    public static EmbeddedKafka start(int port, Path logDir, Map<String, String> brokerOverrides) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        long started = System.nanoTime();
        boolean temporary = logDir == null;
        Path dir;
        try {
            dir = temporary
                    ? Files.createTempDirectory("lethe-kafka-")
                    : Files.createDirectories(logDir).toAbsolutePath().normalize();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Kafka log directory " + logDir, e);
        }

        PreboundSockets sockets = new PreboundSockets();
        BrokerServer broker = null;
        ControllerServer controller = null;
        SharedServer shared = null;
        try {
            int brokerPort = sockets.bind(BROKER_LISTENER, port);
            int controllerPort = sockets.bind(CONTROLLER_LISTENER, 0);
            KafkaConfig config = new KafkaConfig(
                    serverProperties(dir, brokerPort, controllerPort, brokerOverrides), false);

            boolean formatted = formatIfNeeded(dir);
            Tuple2<MetaPropertiesEnsemble, BootstrapMetadata> loaded = KafkaRaftServer.initializeLogDirs(
                    config, LoggerFactory.getLogger(EmbeddedKafka.class), "[EmbeddedKafka] ");
            MetaPropertiesEnsemble ensemble = loaded._1();
            String clusterId = ensemble.clusterId().orElseThrow();
            Metrics metrics = Server.initializeMetrics(config, Time.SYSTEM, clusterId);
            shared = new SharedServer(
                    config,
                    ensemble,
                    Time.SYSTEM,
                    metrics,
                    CompletableFuture.completedFuture(
                            QuorumConfig.parseVoterConnections(config.quorumConfig().voters())),
                    QuorumConfig.parseBootstrapServers(config.quorumConfig().bootstrapServers()),
                    new StandardFaultHandlerFactory(),
                    sockets);
            controller = new ControllerServer(shared, KafkaRaftServer.configSchema(), loaded._2());
            broker = new BrokerServer(shared);
            // Same order as KafkaRaftServer: the controller first, so the broker finds the quorum.
            // BrokerServer.startup() returns once the broker is registered and unfenced.
            controller.startup();
            broker.startup();

            int bound = broker.boundPort(ListenerName.normalised(BROKER_LISTENER));
            LOG.infof("Embedded Kafka (cluster %s) listening on %s:%d, data in %s%s; started in %d ms",
                    clusterId, HOST, bound, dir, formatted ? " (newly formatted)" : "",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return new EmbeddedKafka(dir, temporary, clusterId, bound, broker, controller);
        } catch (Throwable e) {
            if (broker != null) {
                swallow("broker shutdown", broker::shutdown);
            }
            if (controller != null) {
                swallow("controller shutdown", controller::shutdown);
            } else if (shared != null) {
                swallow("shared server stop", shared::stopForController);
            }
            sockets.closeUnused();
            if (temporary) {
                deleteRecursively(dir);
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            if (e instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("embedded Kafka failed to start on port " + port + ": " + e, e);
        }
    }

    /** {@code host:port} for the {@code bootstrap.servers} of clients. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The port the broker listens on (the bound one when 0 was asked for). */
    public int port() {
        return port;
    }

    /** The directory holding the broker's data and metadata logs. */
    public Path logDir() {
        return logDir;
    }

    /** The cluster id, written when the directory was first formatted. */
    public String clusterId() {
        return clusterId;
    }

    /**
     * Creates a topic with replication factor 1, or does nothing if a topic of that name exists
     * (whatever its partitions and configs).
     */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be positive: " + partitions);
        }
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(Map.copyOf(configs));
        try {
            admin().createTopics(List.of(topic)).all()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("creating topic " + name + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        }
    }

    /**
     * Stops the broker and controller (a controlled shutdown: logs are flushed and marked clean).
     * The data stays in {@link #logDir()} unless it was a temporary directory.
     */
    @Override
    public void close() {
        synchronized (adminLock) {
            if (closed) {
                return;
            }
            closed = true;
            if (admin != null) {
                Admin a = admin;
                swallow("admin close", () -> a.close(Duration.ofSeconds(5)));
                admin = null;
            }
        }
        long started = System.nanoTime();
        // Same order as KafkaRaftServer: the broker's controlled shutdown needs the controller.
        swallow("broker shutdown", broker::shutdown);
        swallow("controller shutdown", controller::shutdown);
        if (deleteLogDirOnClose) {
            deleteRecursively(logDir);
        }
        LOG.infof("Embedded Kafka on port %d stopped in %d ms", port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private Admin admin() {
        synchronized (adminLock) {
            if (closed) {
                throw new IllegalStateException("embedded Kafka is closed");
            }
            if (admin == null) {
                admin = Admin.create(Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                        AdminClientConfig.CLIENT_ID_CONFIG, "lethe-embedded-kafka-admin"));
            }
            return admin;
        }
    }

    /** The broker configuration: what would be in {@code server.properties}. */
    private static Map<String, Object> serverProperties(Path dir, int brokerPort, int controllerPort,
                                                        Map<String, String> overrides) {
        Map<String, Object> props = new HashMap<>();
        // Settings a single node needs for transactions and consumer groups, and Lethe's defaults.
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("min.insync.replicas", "1");
        props.put("default.replication.factor", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        // One daemon's groups and transactional ids: a few internal partitions are plenty and make
        // the first group join / first transaction fast (the defaults are 50 each).
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.num.partitions", "5");
        // A modest footprint inside the daemon's JVM (the defaults suit a dedicated broker host).
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        props.put("background.threads", "4");
        props.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        props.putAll(overrides);

        // Fixed by this class: one combined node on loopback, its data in dir.
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        props.put("listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("log.dirs", dir.toString());
        props.put("metadata.log.dir", dir.toString());
        props.remove("controller.quorum.bootstrap.servers");
        return props;
    }

    /** {@code kafka-storage.sh format} for a new directory; returns whether it formatted. */
    private static boolean formatIfNeeded(Path dir) throws Exception {
        if (Files.exists(dir.resolve("meta.properties"))) {
            return false;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(print)
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(dir.toString()))
                    .setMetadataLogDirectory(dir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        }
        LOG.debugf("Formatted %s: %s", dir, out.toString(StandardCharsets.UTF_8).trim());
        return true;
    }

    private static void swallow(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warnf(e, "Embedded Kafka: %s failed", what);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debugf("could not delete %s: %s", p, e);
                }
            });
        } catch (IOException e) {
            LOG.debugf("could not delete %s: %s", dir, e);
        }
    }
}
