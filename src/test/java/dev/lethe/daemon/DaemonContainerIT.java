package dev.lethe.daemon;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * {@link DaemonEndToEnd} against Apache Kafka 4.1.2 in a container, as CI with Docker would run
 * it; skipped cleanly where there is no Docker engine (as on the team machines).
 */
@Testcontainers(disabledWithoutDocker = true)
class DaemonContainerIT extends DaemonEndToEnd {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.2");

    @Override
    String bootstrapServers() {
        return KAFKA.getBootstrapServers();
    }
}
