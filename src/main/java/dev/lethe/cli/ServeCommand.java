package dev.lethe.cli;

import dev.lethe.daemon.DaemonHolder;
import dev.lethe.daemon.LetheDaemon;
import dev.lethe.daemon.config.LetheConfig;
import dev.lethe.daemon.config.LetheConfigs;
import dev.lethe.daemon.kafka.EmbeddedKafka;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Quarkus;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lethe serve}: the daemon, until SIGTERM (or Ctrl-C). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the unlearning daemon: deletion requests in from Kafka, verified model versions and audit events out.")
public class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = Logger.getLogger(ServeCommand.class);

    @Option(names = "--embedded-kafka", description = "start a single-node KRaft broker in this process (loopback only) and use it")
    boolean embeddedKafka;

    @Mixin
    EmbeddedKafkaOptions broker;

    @Inject
    LetheConfig config;

    @Inject
    MeterRegistry meters;

    @Inject
    DaemonHolder holder;

    @Override
    public Integer call() throws Exception {
        EmbeddedKafka kafka = null;
        LetheConfig effective = config;
        if (embeddedKafka) {
            Path dir = broker.logDir(config.dataDir().resolve("kafka"));
            kafka = broker.start(dir);
            effective = LetheConfigs.withOverrides(ConfigProvider.getConfig(),
                    Map.of("lethe.kafka.bootstrap-servers", kafka.bootstrapServers()));
            System.err.println("embedded Kafka broker on " + kafka.bootstrapServers() + " (data in " + dir + ")");
        }
        try {
            return serve(effective, holder, meters);
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    /** Runs a daemon until the application is asked to exit; 1 if the daemon failed. */
    static int serve(LetheConfig config, DaemonHolder holder, MeterRegistry meters) throws InterruptedException {
        try (LetheDaemon daemon = new LetheDaemon(config, meters, Clock.systemUTC())) {
            holder.set(daemon);
            daemon.start();
            Thread watcher = new Thread(() -> {
                try {
                    daemon.awaitStop(java.time.Duration.ofDays(36500));
                    if (daemon.state().failure().isPresent()) {
                        Quarkus.asyncExit(1);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "lethe-watcher");
            watcher.setDaemon(true);
            watcher.start();
            Quarkus.waitForExit();
            LOG.info("shutting down");
            return daemon.state().failure().isPresent() ? 1 : 0;
        } finally {
            holder.set(null);
        }
    }
}
