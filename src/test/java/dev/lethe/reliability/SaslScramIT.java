package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.events.SampleRecordWriter;
import dev.lethe.daemon.kafka.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The daemon over SASL/SCRAM-SHA-512 on TLS (SASL_SSL, hostname verification on), configured only
 * through {@code lethe.kafka.client."<property>"}.
 *
 * <p>The broker is a separate process ({@code kafka.Kafka}, the same Kafka 4.1.2 jars as the in-JVM
 * broker) because {@code EmbeddedKafka} fixes {@code listeners}, {@code advertised.listeners} and
 * {@code listener.security.protocol.map} after applying the caller's overrides: its one client
 * listener is always PLAINTEXT. The SCRAM credential is created at format time
 * ({@code kafka-storage format --add-scram}), the TLS key pair by {@code keytool}.
 */
class SaslScramIT {

    private static final String USER = "lethe";
    private static final String PASSWORD = "scram-password-" + UUID.randomUUID();
    private static final String STORE_PASSWORD = "store-password-" + UUID.randomUUID();
    static Path dir;
    static Process broker;
    static String bootstrap;
    static Path truststore;

    @BeforeAll
    static void startBroker() throws Exception {
        dir = Fixture.OUT.resolve("sasl-" + System.currentTimeMillis()).toAbsolutePath();
        Files.createDirectories(dir);
        Path keystore = dir.resolve("broker.p12");
        truststore = dir.resolve("trust.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(dir.resolve("keytool.log"), keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD);
        Path cert = dir.resolve("broker.crt");
        run(dir.resolve("keytool.log"), keytool, "-exportcert", "-alias", "broker", "-keystore", keystore.toString(),
                "-storepass", STORE_PASSWORD, "-file", cert.toString());
        run(dir.resolve("keytool.log"), keytool, "-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(),
                "-storetype", "PKCS12", "-keystore", truststore.toString(), "-storepass", STORE_PASSWORD);

        int internal = LetheProcess.freePort();
        int external = LetheProcess.freePort();
        int controller = LetheProcess.freePort();
        bootstrap = "127.0.0.1:" + external;
        Path logs = dir.resolve("kafka-logs");
        String props = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "controller.listener.names=CONTROLLER",
                "listeners=INTERNAL://127.0.0.1:" + internal + ",EXTERNAL://127.0.0.1:" + external
                        + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=INTERNAL://127.0.0.1:" + internal + ",EXTERNAL://127.0.0.1:" + external,
                "listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=INTERNAL",
                "sasl.enabled.mechanisms=SCRAM-SHA-512",
                "listener.name.external.scram-sha-512.sasl.jaas.config="
                        + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + keystore,
                "ssl.keystore.password=" + STORE_PASSWORD,
                "ssl.key.password=" + STORE_PASSWORD,
                "log.dirs=" + logs,
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "min.insync.replicas=1",
                "offsets.topic.num.partitions=5",
                "transaction.state.log.num.partitions=5",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "");
        Path serverProperties = dir.resolve("server.properties");
        Files.writeString(serverProperties, props);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        run(dir.resolve("format.log"), java, "-cp", cp, "kafka.tools.StorageTool", "format", "-t",
                org.apache.kafka.common.Uuid.randomUuid().toString(), "-c", serverProperties.toString(),
                "--add-scram", "SCRAM-SHA-512=[name=" + USER + ",password=" + PASSWORD + "]");
        broker = new ProcessBuilder(java, "-Xmx512m", "-cp", cp, "kafka.Kafka", serverProperties.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("broker.log").toFile()).start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            assertThat(broker.isAlive()).as("broker process alive; see " + dir.resolve("broker.log")).isTrue();
            try (Admin admin = Admin.create(client(PASSWORD))) {
                return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
            }
        });
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.destroy();
            if (!broker.waitFor(30, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
        }
    }

    private static void run(Path log, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("%s; see %s", command[0], log).isZero();
    }

    /** Client settings over SASL_SSL as user {@value #USER}. */
    private static Map<String, Object> client(String password) {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        security(password).forEach(p::put);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        return p;
    }

    private static Map<String, String> security(String password) {
        Map<String, String> p = new HashMap<>();
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        p.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512");
        p.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + USER + "\" password=\"" + password + "\";");
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, truststore.toString());
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, STORE_PASSWORD);
        return p;
    }

    @Test
    void theDaemonRunsOverSaslScramOnTlsAndAWrongPasswordIsRefused() throws Exception {
        // A wrong password is refused by the broker.
        try (Admin admin = Admin.create(client("wrong-" + PASSWORD))) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(15, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class);
        }

        Path model = Fixture.model();
        Map<String, String> props = Fixture.daemonProperties(bootstrap, dir.resolve("lethe-data"), model);
        security(PASSWORD).forEach((k, v) -> props.put("lethe.kafka.client.\"" + k + "\"", v));
        Path log = dir.resolve("lethe.log");
        Fixture.Population population = Fixture.Population.generate(17, 4, 4, 3, 3, 40);
        try (LetheProcess daemon = LetheProcess.start(log, props, "serve")) {
            Fixture.awaitReady(daemon);
            Map<String, Object> producerProps = client(PASSWORD);
            producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (SampleRecord r : population.records()) {
                    producer.send(new ProducerRecord<>(Fixture.SAMPLES, SampleRecordWriter.key(r),
                            SampleRecordWriter.encode(r)));
                }
                String subject = population.subjects().get(0).id();
                producer.send(Fixture.request("r-sasl", subject));
                producer.flush();
            }
            Map<String, Object> consumerProps = client(PASSWORD);
            consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
                    List<ConsumerRecord<byte[], byte[]>> audit = TopicReader.readAll(c, Fixture.AUDIT, Duration.ofSeconds(30));
                    return audit.stream().map(r -> CloudEventJson.auditEventOf(CloudEventJson.parse(r.value())))
                            .anyMatch(e -> e.requestId().equals("r-sasl")
                                    && e.type().equals(EventTypes.DELETION_COMPLETED) && e.samplesForgotten() == 3);
                }
            });
            assertThat(daemon.isReady()).isTrue();
        }
        String daemonLog = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(daemonLog).as("the SCRAM password never reaches the log").doesNotContain(PASSWORD);
        assertThat(daemonLog).as("the truststore password never reaches the log").doesNotContain(STORE_PASSWORD);
        System.out.println("[sasl] daemon completed a request over SASL_SSL / SCRAM-SHA-512");
    }
}
