package dev.lethe.ops;

import static dev.lethe.ops.OpsFiles.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The packaged application, started as operators start it ({@code java -jar quarkus-run.jar serve}
 * as a separate process, configured by LETHE_* environment variables, here on its embedded broker),
 * against the operations files: every metric the alerts and the dashboard use is in its
 * {@code /q/metrics}, every probe and scrape path in the manifests answers, the images'
 * HEALTHCHECK commands succeed, and no subject or request id reaches a metric. The scrape is saved as
 * {@code target/ops/metrics.prom} for {@code promtool check metrics} in .ci/run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackagedAppIT {

    /** Series Prometheus itself adds to every target; the app cannot export them. */
    private static final Set<String> PROMETHEUS_SYNTHESIZED = Set.of("up");

    private static final Path JAR = path("target/quarkus-app/quarkus-run.jar");
    private static final Path SCRAPE = path("target/ops/metrics.prom");

    /** Model, data directory and logs of the run; under target/ so a failure can be read afterwards. */
    private final Path work = path("target/ops/packaged-app");

    private Process daemon;
    private Path log;
    private int httpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String scrape;

    @BeforeAll
    void startThePackagedDaemon() throws Exception {
        assertThat(JAR).as("run after package").isRegularFile();
        if (Files.exists(work)) {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(work);
        Path model = work.resolve("model.lethe");
        Process train = java(List.of("train", "--out", model.toString(), "--epochs", "1", "--train-size", "200",
                "--holdout-size", "100", "--fashion-mnist-dir", work.resolve("no-such-dir").toString()), Map.of(),
                work.resolve("train.log"));
        assertThat(train.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(train.exitValue()).as("train: %s", Files.readString(work.resolve("train.log"))).isZero();

        httpPort = freePort();
        int kafkaPort = freePort();
        log = work.resolve("serve.log");
        daemon = java(List.of("serve", "--embedded-kafka", "--kafka-port", String.valueOf(kafkaPort)),
                Map.of("QUARKUS_HTTP_PORT", String.valueOf(httpPort),
                        "LETHE_DATA_DIR", work.resolve("data").toString(),
                        "LETHE_MODEL_INITIAL_PATH", model.toString(),
                        "LETHE_BATCH_LINGER", "1s",
                        "LETHE_AUDIT_HMAC_SECRET", "packaged-app-it-secret-0123456789"),
                log);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            assertThat(daemon.isAlive()).as("daemon exited: %s", tail()).isTrue();
            assertThat(get("/q/health/ready").statusCode()).isEqualTo(200);
        });
        scrape = scrape();
        Files.createDirectories(SCRAPE.getParent());
        Files.writeString(SCRAPE, scrape);
    }

    @AfterAll
    void stopTheDaemon() throws Exception {
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
    }

    @Test
    void everyMetricTheAlertRulesAndTheDashboardUseIsExportedByTheRunningDaemon() {
        Set<String> exported = scrapedNames(scrape);
        Set<String> used = new TreeSet<>();
        ruleExpressions().forEach(e -> used.addAll(metricNames(e)));
        dashboardExpressions().forEach(e -> used.addAll(metricNames(e)));
        used.removeIf(n -> n.contains(":")); // recording rules: DeployFilesTest checks they are defined
        used.removeAll(PROMETHEUS_SYNTHESIZED);

        assertThat(used).as("metric names parsed from the rules and the dashboard").hasSizeGreaterThan(15);
        assertThat(exported).as("/q/metrics of the running daemon").containsAll(used);
        assertThat(SCRAPE).content().contains("lethe_erasure_deadline_seconds");
    }

    @Test
    void everyProbeAndScrapePathInTheManifestsAnswersOnTheRunningDaemon() throws Exception {
        List<JsonNode> base = kustomizeResources(path("k8s/base"));
        Set<String> paths = new TreeSet<>();
        JsonNode container = container(single(base, "Deployment"), "lethe");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            paths.add(container.path(probe).path("httpGet").path("path").asText());
        }
        single(kustomizeResources(path("k8s/components/monitoring")), "ServiceMonitor").path("spec").path("endpoints").forEach(e -> paths.add(e.path("path").asText()));
        yaml(path("deploy/prometheus/prometheus.yml")).path("scrape_configs").forEach(j -> paths.add(j.path("metrics_path").asText()));

        assertThat(paths).contains("/q/health/live", "/q/health/ready", "/q/metrics");
        for (String p : paths) {
            assertThat(get(p).statusCode()).as("GET %s", p).isEqualTo(200);
        }
    }

    @Test
    void theImagesHealthcheckCommandsSucceedAgainstTheRunningDaemon() throws Exception {
        for (String dockerfile : List.of("docker/Dockerfile.jvm", "docker/Dockerfile.cuda")) {
            List<String> argv = Dockerfiles.read(dockerfile).healthcheckCommand();
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
            pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("%s HEALTHCHECK: %s", dockerfile, out).isZero();

            // …and fails when nothing listens there, so it is not vacuous.
            ProcessBuilder down = new ProcessBuilder(argv).redirectErrorStream(true);
            down.environment().put("QUARKUS_HTTP_PORT", String.valueOf(freePort()));
            Process d = down.start();
            d.getInputStream().readAllBytes();
            assertThat(d.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(d.exitValue()).isNotZero();
        }
    }

    @Test
    void aDeletionRequestLeavesNoSubjectOrRequestIdInTheMetrics() throws Exception {
        String subject = "subject-" + UUID.randomUUID();
        String requestId = "request-" + UUID.randomUUID();
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(uri("/deletion-requests"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"subjectId\":\"" + subject + "\",\"requestId\":\"" + requestId + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

        // An unknown subject completes with nothing to forget; wait until the metrics count it.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(scrape()).contains("lethe_requests_total{outcome=\"completed\",} 1.0"));
        assertThat(get("/deletion-requests/" + requestId).body()).contains("completed");
        String after = scrape();
        assertThat(after).doesNotContain(subject).doesNotContain(requestId)
                .doesNotContain(subject.substring("subject-".length()));
    }

    // ---- helpers --------------------------------------------------------------------------------

    private Process java(List<String> args, Map<String, String> env, Path output) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.add("-jar");
        command.add(JAR.toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.environment().putAll(env);
        return pb.start();
    }

    private String scrape() throws Exception {
        // The Prometheus text format (0.0.4) is what promtool check metrics reads.
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/q/metrics"))
                .header("Accept", "text/plain; version=0.0.4; charset=utf-8").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(c -> assertThat(c).startsWith("text/plain"));
        return r.body();
    }

    private HttpResponse<String> get(String p) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(p)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String p) {
        return URI.create("http://127.0.0.1:" + httpPort + p);
    }

    private String tail() throws IOException {
        String s = Files.exists(log) ? Files.readString(log) : "";
        return s.substring(Math.max(0, s.length() - 4000));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
