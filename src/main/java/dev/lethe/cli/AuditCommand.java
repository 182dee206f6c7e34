package dev.lethe.cli;

import dev.lethe.daemon.audit.AuditTopicVerifier;
import dev.lethe.daemon.config.LetheConfig;
import dev.lethe.daemon.config.LetheConfigs;
import dev.lethe.daemon.kafka.KafkaClients;
import jakarta.inject.Inject;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.microprofile.config.ConfigProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lethe audit …}: tools over the audit topic. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Tools over the audit topic.",
        subcommands = AuditCommand.Verify.class)
public class AuditCommand {

    /**
     * {@code lethe audit verify}: reads the model's audit topic ({@code lethe.topics.audit}) from the
     * beginning and checks every link of the hash chain; exit status 1 names the first broken event.
     */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Verify the audit hash chain on the audit topic (exit 0 intact, 1 broken).")
    public static class Verify implements Callable<Integer> {

        @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (default: lethe.kafka.bootstrap-servers)")
        String bootstrapServers;

        @Option(names = "--topic", description = "audit topic (default: lethe.topics.audit)")
        String topic;

        @Option(names = "--timeout", defaultValue = "PT60S", description = "time allowed to read the topic to its end (default: ${DEFAULT-VALUE})")
        Duration timeout;

        @Option(names = "--dump", description = "also write the audit record values here, one per line (input for scripts/verify_audit_chain.py)")
        Path dump;

        @Inject
        LetheConfig config;

        @Override
        public Integer call() throws Exception {
            Map<String, String> overrides = new HashMap<>();
            if (bootstrapServers != null) {
                overrides.put("lethe.kafka.bootstrap-servers", bootstrapServers);
            }
            LetheConfig effective = overrides.isEmpty() ? config
                    : LetheConfigs.withOverrides(ConfigProvider.getConfig(), overrides);
            String auditTopic = topic != null ? topic : effective.topics().audit();
            AuditTopicVerifier.Report report;
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaClients(effective).consumer("audit-verify", null);
                    OutputStream out = dump == null ? null : Files.newOutputStream(dump)) {
                report = AuditTopicVerifier.verify(consumer, auditTopic, timeout, out);
            }
            System.out.println(auditTopic + ": " + report.describe());
            return report.ok() ? 0 : 1;
        }
    }
}
