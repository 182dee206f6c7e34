package dev.lethe.daemon;

import dev.lethe.testing.InJvmKafka;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link DaemonEndToEnd} against the in-JVM KRaft broker. */
class DaemonIT extends DaemonEndToEnd {

    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("daemon");

    @Override
    String bootstrapServers() {
        return KAFKA.bootstrapServers();
    }
}
