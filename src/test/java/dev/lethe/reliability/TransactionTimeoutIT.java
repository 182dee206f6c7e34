package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.testing.InJvmKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

/**
 * A batch whose unlearning takes longer than {@code transaction.timeout.ms} (5 s here) publishes
 * exactly once: the transaction spans only the publish, never the unlearning (ADR 0004).
 */
class TransactionTimeoutIT {

    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("tx-timeout");

    @Test
    void aBatchLongerThanTheTransactionTimeoutStillPublishesExactlyOnce() throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        Path dir = KAFKA.dir();
        Fixture.Population population = Fixture.Population.generate(13, 10, 10, 3, 4, 60);
        Map<String, String> props = Fixture.daemonProperties(bootstrap, dir.resolve("data"), Fixture.model());
        props.put("lethe.kafka.transaction-timeout", "5s");
        // A long batch on purpose: the whole model (not the dense head's ≈ 8× cheaper steps, ADR 0010)
        // and a budget well past what the stop rule needs.
        props.put("lethe.unlearning.parameters", ".*");
        props.put("lethe.unlearning.max-steps", "300");
        props.put("lethe.unlearning.retain-batch", "32");
        Map<String, String> requestSubject = new LinkedHashMap<>();
        long tookMs;
        try (LetheProcess daemon = LetheProcess.start(dir.resolve("lethe.log"), props, "serve");
             KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
            Fixture.awaitReady(daemon);
            population.publish(bootstrap);
            CompletableFuture<String> closed = daemon.onLine(l -> l.contains("forget batch closed"));
            CompletableFuture<String> published = daemon.onLine(CrashRecoveryIT::isPublishedLine);
            for (int i = 0; i < 3; i++) {
                String s = population.subjects().get(i).id();
                requestSubject.put("r-slow-" + i, s);
                producer.send(Fixture.request("r-slow-" + i, s));
            }
            producer.flush();
            closed.get(60, TimeUnit.SECONDS);
            // Requests taken in while the long batch runs: intake transactions during the unlearning.
            for (int i = 3; i < 6; i++) {
                String s = population.subjects().get(i).id();
                requestSubject.put("r-slow-" + i, s);
                producer.send(Fixture.request("r-slow-" + i, s));
            }
            producer.flush();
            String line = published.get(300, TimeUnit.SECONDS);
            Matcher took = Pattern.compile("took (\\d+) ms").matcher(line);
            assertThat(took.find()).isTrue();
            tookMs = Long.parseLong(took.group(1));
            Fixture.awaitTerminal(bootstrap, requestSubject.keySet(), Duration.ofSeconds(300));
            assertThat(daemon.isReady()).isTrue();
        }
        System.out.println("[tx-timeout] first batch took " + tookMs + " ms with transaction.timeout.ms = 5000");
        assertThat(tookMs).as("the batch outlasted the transaction timeout").isGreaterThan(5_000);
        ExactlyOnceVerdict.Counts counts = ExactlyOnceVerdict.check(bootstrap, requestSubject, population);
        assertThat(counts.lost()).isZero();
        assertThat(counts.duplicated()).isZero();
        List<ModelVersionEvent> versions = ExactlyOnceVerdict.versions(bootstrap);
        assertThat(versions.get(1).requestIds()).containsExactlyInAnyOrder("r-slow-0", "r-slow-1", "r-slow-2");
        Files.writeString(Fixture.OUT.resolve("tx-timeout.md"), "| transaction.timeout.ms | first batch took |\n"
                + "|---|---|\n| 5000 | " + tookMs + " ms |\n");
    }
}
