package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.core.events.AuditChain;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.CloudEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.EventTypes;
import dev.lethe.testing.InJvmKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two models on one set of topics (issue 14): two daemons, each with its own model name, data
 * directory, consumer group and transactional id, read the same requests and samples and write the
 * same audit and version topics. Model B starts only after model A has carried out the first
 * requests, then each is restarted: every request must be carried out by each model exactly once
 * (B never takes A's completions for its own, nor loses the samples A tombstoned), each model's
 * audit events carry its source and name, and each model's chain verifies on its own.
 */
class TwoModelsOneSetOfTopicsIT {

    static final String A = "model-a";
    static final String B = "model-b";

    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("two-models");

    @Test
    void everyRequestIsCarriedOutOnceByEachModelWithItsOwnChainAndNoCrossTalk() throws Exception {
        String bootstrap = KAFKA.broker().bootstrapServers();
        Path dir = KAFKA.dir();
        Path model = Fixture.model();
        Fixture.Population population = Fixture.Population.generate(14, 16, 14, 3, 5, 60); // subjects 9–13: bystanders the retain buffer draws from
        Map<String, String> requestSubject = new LinkedHashMap<>();
        Path logA = dir.resolve("lethe-a.log");
        Path logB = dir.resolve("lethe-b.log");
        long started = System.nanoTime();

        try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(bootstrap)) {
            // 1. A alone carries out the first requests (and tombstones their samples).
            try (LetheProcess a = start(logA, bootstrap, dir, model, A)) {
                population.publish(bootstrap);
                send(producer, requestSubject, population, 0, 4);
                awaitTerminal(bootstrap, requestSubject.keySet(), A);
            }
            // 2. B starts late: it must carry out those requests itself, on the samples it indexed
            //    (A's tombstones name A, so B keeps the samples until it has unlearned them).
            try (LetheProcess b = start(logB, bootstrap, dir, model, B)) {
                awaitTerminal(bootstrap, requestSubject.keySet(), B);
                // 3. Both running, then each restarted once, with requests in between.
                try (LetheProcess a = start(logA, bootstrap, dir, model, A)) {
                    send(producer, requestSubject, population, 4, 7);
                    awaitTerminal(bootstrap, requestSubject.keySet(), A);
                    JsonNode status = get(a, "/deletion-requests/r-0");
                    assertThat(status.path("model").asText()).isEqualTo(A);
                    assertThat(status.path("status").asText()).isEqualTo("completed");
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                            get(a, "/deletion-requests/r-0").path("models").path(B).path("status").asText())
                            .as("A's REST shows B's state of r-0, followed from the audit topic")
                            .isEqualTo("completed"));
                }
            }
            try (LetheProcess b = start(logB, bootstrap, dir, model, B)) {
                send(producer, requestSubject, population, 7, 9);
                awaitTerminal(bootstrap, requestSubject.keySet(), B);
            }
            try (LetheProcess a = start(logA, bootstrap, dir, model, A)) {
                awaitTerminal(bootstrap, requestSubject.keySet(), A);
            }
        }

        // Each model: every request once, its samples forgotten by its own versions, its chain intact.
        ExactlyOnceVerdict.Counts countsA = ExactlyOnceVerdict.check(bootstrap, requestSubject, population, A);
        ExactlyOnceVerdict.Counts countsB = ExactlyOnceVerdict.check(bootstrap, requestSubject, population, B);
        // Cross-talk: each event's source and model agree; no event names a third model; one chain each.
        List<JsonNode> data = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : Fixture.readCommitted(bootstrap, Fixture.AUDIT)) {
            CloudEvent e = CloudEventJson.parse(r.value());
            AuditEvent audit = CloudEventJson.auditEventOf(e);
            assertThat(audit.model()).as("model of %s", e.id()).isIn(A, B);
            assertThat(e.source()).as("source of %s", e.id()).isEqualTo(EventTypes.source(audit.model()));
            data.add(e.data());
        }
        Map<String, AuditChain.Verification> chains = AuditChain.verifyDataPerModel(data);
        assertThat(chains).containsOnlyKeys(A, B);
        assertThat(chains.values()).allMatch(AuditChain.Verification::ok);
        System.out.printf("[two-models] %d requests; A started 3 times, B twice; A: %s; B: %s; %.0f s%n",
                requestSubject.size(), countsA, countsB, (System.nanoTime() - started) / 1e9);
        assertThat(countsA.lost() + countsB.lost()).isZero();
        assertThat(countsA.duplicated() + countsB.duplicated()).isZero();
        assertThat(countsA.terminalEvents()).isEqualTo(requestSubject.size());
        assertThat(countsB.terminalEvents()).isEqualTo(requestSubject.size());
    }

    private static LetheProcess start(Path log, String bootstrap, Path dir, Path model, String name) {
        Map<String, String> p = Fixture.daemonProperties(bootstrap, dir.resolve("data-" + name), model);
        p.put("lethe.model.name", name);
        LetheProcess process = LetheProcess.start(log, p, "serve");
        Fixture.awaitReady(process);
        return process;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Map<String, String> requestSubject,
            Fixture.Population population, int from, int to) {
        for (int i = from; i < to; i++) {
            String subject = population.subjects().get(i).id();
            requestSubject.put("r-" + i, subject);
            producer.send(Fixture.request("r-" + i, subject));
        }
        producer.flush();
    }

    private static void awaitTerminal(String bootstrap, java.util.Collection<String> ids, String model) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                .until(() -> ExactlyOnceVerdict.terminalCounts(ExactlyOnceVerdict.audit(bootstrap).stream()
                        .filter(e -> model.equals(e.model())).toList()).keySet().containsAll(ids));
    }

    private static JsonNode get(LetheProcess p, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + p.httpPort() + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }
}
