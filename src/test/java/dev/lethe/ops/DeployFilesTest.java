package dev.lethe.ops;

import static dev.lethe.ops.OpsFiles.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * deploy/ is consistent with itself and with the application: the compose file's environment names
 * LetheConfig keys and its mounts exist, Prometheus scrapes the app's port and metrics path and loads
 * the rules it is given, Grafana's provisioning points at the dashboard, and every recording rule the
 * alerts and the dashboard use is defined. (That every metric exists is PackagedAppIT's job.)
 */
class DeployFilesTest {

    private static final Path DEPLOY = path("deploy");
    private final JsonNode compose = yaml(DEPLOY.resolve("docker-compose.yml"));
    private final JsonNode prometheus = yaml(DEPLOY.resolve("prometheus/prometheus.yml"));

    @Test
    void theComposeEnvironmentOfLetheNamesRealConfigKeys() {
        Map<String, String> env = textMap(compose.path("services").path("lethe").path("environment"));
        assertThat(env.keySet()).filteredOn(k -> k.startsWith("LETHE_")).isNotEmpty()
                .allSatisfy(k -> assertThat(isLetheKey(k)).as(k).isTrue());
        var config = configFromEnvironment(env);
        // The broker the daemon dials is the one the kafka service advertises.
        String advertised = textMap(compose.path("services").path("kafka").path("environment"))
                .get("KAFKA_ADVERTISED_LISTENERS");
        assertThat(advertised).endsWith("://" + config.kafka().bootstrapServers());
        assertThat(config.dataDir().toString()).startsWith("/deployments/data/");
    }

    @Test
    void everyFileComposeMountsFromTheRepositoryExists() {
        List<String> mounts = new ArrayList<>();
        compose.path("services").forEach(s -> s.path("volumes").forEach(v -> mounts.add(v.asText())));
        List<String> local = mounts.stream().filter(m -> m.startsWith("./")).toList();
        assertThat(local).isNotEmpty();
        assertThat(local).allSatisfy(m -> assertThat(DEPLOY.resolve(m.split(":")[0])).exists());
        assertThat(compose.path("services").path("lethe-init").path("build").path("dockerfile").asText())
                .satisfies(f -> assertThat(DEPLOY.resolve("..").resolve(f).normalize()).exists());
    }

    @Test
    void prometheusScrapesTheApplicationsPortAndMetricsPathAndLoadsTheMountedRules() {
        JsonNode job = prometheus.path("scrape_configs").get(0);
        assertThat(job.path("job_name").asText()).as("the job the LetheDown alert selects").isEqualTo("lethe");
        assertThat(job.path("metrics_path").asText()).isEqualTo("/q/metrics");
        assertThat(job.path("static_configs").get(0).path("targets").get(0).asText()).isEqualTo("lethe:" + httpPort());

        Set<String> mountedTargets = new HashSet<>();
        compose.path("services").path("prometheus").path("volumes").forEach(v -> {
            String[] parts = v.asText().split(":");
            if (parts[0].endsWith("lethe-alerts.yml")) {
                assertThat(DEPLOY.resolve(parts[0]).normalize()).isEqualTo(alertRules());
                mountedTargets.add(parts[1]);
            }
        });
        List<String> ruleFiles = new ArrayList<>();
        prometheus.path("rule_files").forEach(r -> ruleFiles.add(r.asText()));
        assertThat(ruleFiles).isNotEmpty().allSatisfy(r -> assertThat(mountedTargets).contains(r));
    }

    @Test
    void grafanaProvisionsTheDashboardDirectoryItMounts() {
        JsonNode provider = yaml(DEPLOY.resolve("grafana/provisioning/dashboards/lethe.yml")).path("providers").get(0);
        String dashboardsIn = provider.path("options").path("path").asText();
        List<String> grafanaMounts = new ArrayList<>();
        compose.path("services").path("grafana").path("volumes").forEach(v -> grafanaMounts.add(v.asText()));
        assertThat(grafanaMounts).anySatisfy(m -> {
            String[] parts = m.split(":");
            assertThat(parts[1]).isEqualTo(dashboardsIn);
            assertThat(DEPLOY.resolve(parts[0]).resolve(dashboard().getFileName().toString())).exists();
        });
        JsonNode datasource = yaml(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yml")).path("datasources").get(0);
        assertThat(datasource.path("url").asText()).contains("prometheus:9090");
    }

    @Test
    void theDashboardHasUniquePanelIdsAndUsesItsDatasourceVariable() {
        JsonNode dash = json(dashboard());
        List<Integer> ids = new ArrayList<>();
        dash.path("panels").forEach(p -> ids.add(p.path("id").asInt()));
        assertThat(ids).doesNotHaveDuplicates();
        Set<String> uids = new TreeSet<>(dash.findValuesAsText("uid"));
        uids.remove(dash.path("uid").asText());
        assertThat(uids).containsExactly("${datasource}");
        assertThat(dashboardExpressions()).hasSizeGreaterThan(20);
    }

    @Test
    void everyRecordingRuleTheAlertsAndTheDashboardUseIsDefined() {
        Set<String> used = new TreeSet<>();
        ruleExpressions().forEach(e -> used.addAll(metricNames(e)));
        dashboardExpressions().forEach(e -> used.addAll(metricNames(e)));
        assertThat(used).filteredOn(n -> n.contains(":")).isNotEmpty()
                .allSatisfy(n -> assertThat(recordedNames()).contains(n));
    }

    @Test
    void everyAlertHasASeverityASummaryAndARunbookSectionInTheOperationsGuide() throws Exception {
        String guide = Files.readString(path("docs/operations.md")).toLowerCase();
        for (JsonNode group : yaml(alertRules()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (!rule.has("alert")) {
                    continue;
                }
                String name = rule.path("alert").asText();
                assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("warning", "critical");
                assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
                String anchor = rule.path("annotations").path("runbook_url").asText();
                // Absolute: Alertmanager and its receivers link only absolute URLs.
                assertThat(anchor).as(name).startsWith("https://github.com/lethe-dev/lethe/blob/main/docs/operations.md#");
                assertThat(guide).as("a heading for %s", anchor).contains("### " + anchor.substring(anchor.indexOf('#') + 1));
            }
        }
    }
}
