package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.events.SampleRecordWriter;
import dev.lethe.testing.InJvmKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

/**
 * A second instance with the same transactional id ({@code lethe-<model>}) fences the first: the
 * old one's next transaction fails as fenced, it stops publishing and reports not ready, and the
 * new one carries every request exactly once.
 */
class FencingIT {

    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("fencing");

    @Test
    void aSecondInstanceWithTheSameTransactionalIdFencesTheFirstWhichStopsPublishingAndTurnsNotReady() throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        Path dir = KAFKA.dir();
        Path model = Fixture.model();
        Fixture.Population population = Fixture.Population.generate(11, 12, 12, 3, 4, 60);
        Map<String, String> requestSubject = new LinkedHashMap<>();
        Path dataA = dir.resolve("data-a");
        Path dataB = dir.resolve("data-b");
        Path logA = dir.resolve("lethe-a.log");
        Path logB = dir.resolve("lethe-b.log");
        try (LetheProcess a = LetheProcess.start(logA, Fixture.daemonProperties(bootstrap, dataA, model), "serve");
             KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
            Fixture.awaitReady(a);
            population.publish(bootstrap);
            String first = population.subjects().get(0).id();
            requestSubject.put("r-first", first);
            producer.send(Fixture.request("r-first", first));
            producer.flush();
            Fixture.awaitTerminal(bootstrap, requestSubject.keySet(), Duration.ofSeconds(120));

            // B: same model, so the same transactional id and group; the artifacts on a shared volume.
            copy(dataA.resolve("registry"), dataB.resolve("registry"));
            try (LetheProcess b = LetheProcess.start(logB, Fixture.daemonProperties(bootstrap, dataB, model), "serve")) {
                Fixture.awaitReady(b);
                // Both ingest the samples topic; both must refuse a late sample of the erased subject,
                // so A has to publish — and is fenced.
                SampleRecord late = new SampleRecord("late-of-first", first, 1, SampleRecord.TRAIN, Fixture.SHAPE,
                        Fixture.features(new Random(9)));
                producer.send(new ProducerRecord<>(Fixture.SAMPLES, SampleRecordWriter.key(late),
                        SampleRecordWriter.encode(late)));
                for (int i = 1; i < 9; i++) { // requests on every partition
                    String subject = population.subjects().get(i).id();
                    requestSubject.put("r-after-fence-" + i, subject);
                    producer.send(Fixture.request("r-after-fence-" + i, subject));
                }
                producer.flush();

                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> !a.isReady());
                Fixture.awaitTerminal(bootstrap, requestSubject.keySet(), Duration.ofSeconds(180));
                assertThat(a.isReady()).as("the fenced instance stays not ready").isFalse();
                assertThat(b.isReady()).isTrue();
                String aLog = Files.readString(logA, StandardCharsets.UTF_8);
                assertThat(aLog).as("A's log names the fencing").containsAnyOf("FatalPublishException",
                        "can no longer publish");
                System.out.println("[fencing] A's log: " + aLog.lines()
                        .filter(l -> l.contains("can no longer publish") || l.contains("FatalPublishException")
                                || l.contains("Fenced"))
                        .findFirst().orElse("?"));
                long refusals = ExactlyOnceVerdict.audit(bootstrap).stream()
                        .filter(e -> e.requestId().equals("sample:late-of-first")).count();
                assertThat(refusals).as("the late sample is refused once, by B").isEqualTo(1);
            }
        }
        ExactlyOnceVerdict.Counts counts = ExactlyOnceVerdict.check(bootstrap, requestSubject, population);
        System.out.println("[fencing] " + counts);
        assertThat(counts.lost()).isZero();
        assertThat(counts.duplicated()).isZero();
    }

    /** Copies a directory tree (the registry on a "shared volume"). */
    static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
