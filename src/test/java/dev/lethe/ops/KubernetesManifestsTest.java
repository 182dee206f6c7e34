package dev.lethe.ops;

import static dev.lethe.ops.OpsFiles.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.daemon.config.LetheConfig;
import dev.lethe.daemon.kafka.TopicSetup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * k8s/ agrees with the application: probes, ports and config keys with the app's configuration,
 * the Strimzi topics with {@link TopicSetup#specs}, the KafkaUser's ACLs with the ids the daemon
 * uses, the PrometheusRule with deploy/'s alert rules. When kubectl is on the PATH (CI installs it),
 * the same checks run on both rendered trees, so overlays cannot break them either.
 */
class KubernetesManifestsTest {

    private static final Path BASE = path("k8s/base");
    /** The daemon's worst-case shutdown: request loop 30 s + ingest loop 10 s + running batch 2 min. */
    private static final int LONGEST_SHUTDOWN_SECONDS = 30 + 10 + 120;

    private static final Path MONITORING = path("k8s/components/monitoring");
    /** Every tree a user may apply; CI renders each one. */
    static final List<String> TREES = List.of("k8s/base", "k8s/overlays/gpu", "k8s/overlays/monitoring");

    private final List<JsonNode> base = kustomizeResources(BASE);
    private final List<JsonNode> monitoring = kustomizeResources(MONITORING);

    @Test
    void theBaseDeploymentRunsOneWriterWithProbesOnTheApplicationsHealthEndpoints() {
        checkDeployment(base);
    }

    @Test
    void everyLetheEnvironmentVariableInTheManifestsIsAKeyOfLetheConfig() {
        Map<String, String> env = environment(base, true);
        assertThat(env.keySet()).filteredOn(k -> k.startsWith("LETHE_")).isNotEmpty()
                .allSatisfy(k -> assertThat(isLetheKey(k)).as("%s is a LetheConfig key (%s)", k, letheProperties()).isTrue());
    }

    @Test
    void theDaemonReadsTheConfigMapAsTheManifestsIntend() {
        LetheConfig config = configFromEnvironment(environment(base, true));
        JsonNode deployment = single(base, "Deployment");
        String dataMount = mountPathOfClaim(deployment, single(base, "PersistentVolumeClaim").path("metadata").path("name").asText());

        assertThat(config.kafka().createTopics()).as("topics come from the KafkaTopic resources").isFalse();
        assertThat(config.dataDir().toString()).as("data dir on the persistent volume").startsWith(dataMount + "/");
        // The initial model comes by URL with its digest, never by `kubectl cp` into a crash-looping pod.
        assertThat(config.model().initialPath()).isEmpty();
        assertThat(config.model().initialUri()).isPresent();
        assertThat(config.model().initialSha256()).hasValueSatisfying(h -> assertThat(h).matches("[0-9a-f]{64}"));
        assertThat(config.kafka().client()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsKey("sasl.jaas.config");
        assertThat(config.audit().hmacSecret()).isPresent();
        assertThat(config.api().key()).isPresent();
    }

    @Test
    void secretsComeFromSecretReferencesNeverFromPlainValues() {
        JsonNode deployment = single(base, "Deployment");
        Map<String, JsonNode> env = containerEnv(container(deployment, "lethe"));
        Set<String> secretKeys = Set.of(envName("lethe.audit.hmac-secret"), envName("lethe.api.key"),
                envName("lethe.kafka.client.\"sasl.jaas.config\""));
        assertThat(env.keySet()).containsAll(secretKeys);
        for (String key : secretKeys) {
            assertThat(env.get(key).path("valueFrom").path("secretKeyRef").path("name").asText()).as(key).isNotEmpty();
            assertThat(env.get(key).has("value")).as(key + " has no plain value").isFalse();
        }
        assertThat(single(base, "ConfigMap").path("data").fieldNames()).toIterable()
                .doesNotContainAnyElementsOf(secretKeys);
        // The SASL config is the one Strimzi writes for the KafkaUser: its secret has the user's name.
        JsonNode sasl = env.get(envName("lethe.kafka.client.\"sasl.jaas.config\"")).path("valueFrom").path("secretKeyRef");
        assertThat(sasl.path("name").asText()).isEqualTo(single(base, "KafkaUser").path("metadata").path("name").asText());
        assertThat(sasl.path("key").asText()).isEqualTo("sasl.jaas.config");
    }

    @Test
    void theServiceAndServiceMonitorReachTheContainersHttpPortAndMetricsPath() {
        JsonNode deployment = single(base, "Deployment");
        JsonNode service = single(base, "Service");
        JsonNode monitor = single(monitoring, "ServiceMonitor");
        JsonNode port = service.path("spec").path("ports").get(0);
        assertThat(port.path("targetPort").asText()).isEqualTo(httpPortName(deployment));
        assertThat(port.path("port").asInt()).isEqualTo(httpPort());
        JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
        assertThat(endpoint.path("port").asText()).isEqualTo(port.path("name").asText());
        assertThat(endpoint.path("path").asText()).isEqualTo("/q/metrics");
        // The alert rules select job="lethe"; a ServiceMonitor's job label is the Service's name.
        assertThat(service.path("metadata").path("name").asText()).isEqualTo("lethe");
        assertThat(String.join("\n", ruleExpressions())).contains("job=\"lethe\"");
        // Selectors match the pod's labels (the ServiceMonitor selects the Service by the common label).
        Map<String, String> podLabels = textMap(deployment.path("spec").path("template").path("metadata").path("labels"));
        assertThat(podLabels).containsAllEntriesOf(textMap(service.path("spec").path("selector")));
        assertThat(podLabels).containsAllEntriesOf(textMap(single(base, "PodDisruptionBudget").path("spec")
                .path("selector").path("matchLabels")));
    }

    @Test
    void strimziTopicsHaveTheNamesPartitionsAndRetentionOfTopicSetup() {
        LetheConfig config = configFromEnvironment(environment(base, true));
        List<JsonNode> topics = ofKind(base, "KafkaTopic");
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        topics.forEach(t -> byName.put(t.path("spec").path("topicName").asText(t.path("metadata").path("name").asText()), t));

        List<TopicSetup.Spec> specs = TopicSetup.specs(config);
        assertThat(byName.keySet()).containsExactlyInAnyOrderElementsOf(specs.stream().map(TopicSetup.Spec::name).toList());
        for (TopicSetup.Spec spec : specs) {
            JsonNode t = byName.get(spec.name()).path("spec");
            assertThat(t.path("partitions").asInt()).as("partitions of %s", spec.name()).isEqualTo(spec.partitions());
            Map<String, String> configs = textMap(t.path("config"));
            assertThat(configs).as("configs of %s", spec.name()).containsAllEntriesOf(spec.configs());
            if ("delete".equals(spec.configs().get("cleanup.policy"))) {
                assertThat(configs).as("%s states its retention", spec.name()).containsKey("retention.ms");
            }
        }
        String cluster = clusterOf(topics.get(0));
        assertThat(topics).allSatisfy(t -> assertThat(clusterOf(t)).isEqualTo(cluster));
        assertThat(config.kafka().bootstrapServers()).startsWith(cluster + "-kafka-bootstrap:");
    }

    @Test
    void theKafkaUserMayDoWhatTheDaemonDoesIncludingItsGroupAndTransactionalId() {
        LetheConfig config = configFromEnvironment(environment(base, true));
        JsonNode user = single(base, "KafkaUser");
        assertThat(clusterOf(user)).isEqualTo(clusterOf(ofKind(base, "KafkaTopic").get(0)));
        assertThat(user.path("spec").path("authentication").path("type").asText())
                .isEqualTo(config.kafka().client().get("sasl.mechanism").toLowerCase());

        Map<String, Set<String>> acl = new HashMap<>();
        for (JsonNode a : user.path("spec").path("authorization").path("acls")) {
            String key = a.path("resource").path("type").asText() + ":" + a.path("resource").path("name").asText();
            assertThat(a.path("resource").path("patternType").asText("literal")).isEqualTo("literal");
            Set<String> ops = acl.computeIfAbsent(key, k -> new TreeSet<>());
            a.path("operations").forEach(o -> ops.add(o.asText()));
        }
        LetheConfig.Topics t = config.topics();
        for (String readWrite : List.of(t.samples(), t.deletionRequests(), t.modelVersions(), t.audit())) {
            assertThat(acl.get("topic:" + readWrite)).as(readWrite).contains("Describe", "Read", "Write");
        }
        for (String dlq : List.of(t.deletionRequestsDlq(), t.samplesDlq(), t.retrainsDlq())) {
            assertThat(acl.get("topic:" + dlq)).as(dlq).contains("Describe", "Write");
        }
        assertThat(acl.get("topic:" + t.retrains())).as(t.retrains()).contains("Describe", "Read");
        assertThat(acl.get("group:" + config.groupId())).as("consumer group " + config.groupId()).contains("Read");
        assertThat(acl.get("transactionalId:" + config.transactionalId())).as("transactional id " + config.transactionalId())
                .contains("Describe", "Write");
        assertThat(acl.keySet()).as("no other resource").hasSize(10);
    }

    @Test
    void thePrometheusRuleCarriesExactlyTheAlertRulesOfDeploy() {
        JsonNode rule = single(monitoring, "PrometheusRule");
        assertThat(rule.path("spec")).isEqualTo(yaml(alertRules()));
        // kube-prometheus-stack ignores rules and monitors without its release label.
        assertThat(rule.path("metadata").path("labels").has("release")).isTrue();
        assertThat(single(monitoring, "ServiceMonitor").path("metadata").path("labels").has("release")).isTrue();
        // Alertmanager links a runbook only when the URL is absolute.
        assertThat(rule.findValuesAsText("runbook_url")).isNotEmpty().allMatch(u -> u.startsWith("https://"));
    }

    @Test
    void bothKustomizeTreesRenderAndKeepTheDeploymentInvariants() throws Exception {
        Assumptions.assumeTrue(kubectlAvailable(), "no kubectl with kustomize >= v4 on the PATH (CI installs it)");
        List<JsonNode> renderedBase = render("k8s/base");
        List<JsonNode> gpu = render("k8s/overlays/gpu");
        List<JsonNode> withMonitoring = render("k8s/overlays/monitoring");
        checkDeployment(renderedBase);
        checkDeployment(gpu);
        checkDeployment(withMonitoring);
        // The base applies on a cluster without the Prometheus Operator's CRDs; the component adds them.
        assertThat(renderedBase).noneMatch(d -> d.path("apiVersion").asText().startsWith("monitoring.coreos.com/"));
        assertThat(withMonitoring).extracting(d -> d.path("kind").asText()).contains("ServiceMonitor", "PrometheusRule");
        for (List<JsonNode> tree : List.of(renderedBase, gpu, withMonitoring)) {
            assertThat(tree).filteredOn(d -> d.path("apiVersion").asText().startsWith("kafka.strimzi.io/"))
                    .isNotEmpty().allSatisfy(d -> assertThat(d.path("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1"));
        }
        assertThat(environment(gpu, true).keySet()).filteredOn(k -> k.startsWith("LETHE_"))
                .allSatisfy(k -> assertThat(isLetheKey(k)).as(k).isTrue());

        JsonNode c = container(single(gpu, "Deployment"), "lethe");
        assertThat(c.path("image").asText()).contains("lethe-cuda");
        assertThat(c.path("resources").path("limits").path("nvidia.com/gpu").asInt()).isEqualTo(1);
        JsonNode pod = single(gpu, "Deployment").path("spec").path("template").path("spec");
        assertThat(pod.path("nodeSelector").size()).isPositive();
        assertThat(pod.path("tolerations").findValuesAsText("key")).contains("nvidia.com/gpu");
        assertThat(configFromEnvironment(environment(gpu, true)).model().device()).isEqualTo("auto");
        // The CUDA image extracts its JNI library on first start: that directory must be writable.
        assertThat(c.path("volumeMounts").findValuesAsText("mountPath")).contains("/deployments/djl-cache");
        assertThat(container(single(renderedBase, "Deployment"), "lethe").path("image").asText()).doesNotContain("cuda");
    }

    @Test
    void theKustomizationsUseNoDeprecatedFields() {
        Set<String> deprecated = Set.of("bases", "patchesStrategicMerge", "patchesJson6902", "commonLabels", "vars",
                "imageTags");
        for (String dir : List.of("k8s/base", "k8s/overlays/gpu", "k8s/overlays/monitoring", "k8s/components/monitoring")) {
            JsonNode k = yaml(path(dir).resolve("kustomization.yaml"));
            assertThat(k.fieldNames()).toIterable().as(dir).doesNotContainAnyElementsOf(deprecated);
        }
    }

    // ---- shared checks ----------------------------------------------------------------------------

    private static void checkDeployment(List<JsonNode> docs) {
        JsonNode deployment = single(docs, "Deployment");
        JsonNode spec = deployment.path("spec");
        JsonNode pod = spec.path("template").path("spec");
        JsonNode c = container(deployment, "lethe");

        assertThat(spec.path("replicas").asInt()).as("one active writer per model").isEqualTo(1);
        assertThat(spec.path("strategy").path("type").asText()).as("never two pods side by side").isEqualTo("Recreate");
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isGreaterThan(LONGEST_SHUTDOWN_SECONDS);
        assertThat(c.path("args").get(0).asText()).isEqualTo("serve");

        String http = httpPortName(deployment);
        assertThat(containerPort(c, http)).isEqualTo(httpPort());
        assertProbe(c.path("livenessProbe"), "/q/health/live", http);
        assertProbe(c.path("readinessProbe"), "/q/health/ready", http);
        assertThat(c.path("startupProbe").path("httpGet").path("path").asText()).isIn("/q/health/live", "/q/health/ready");
        assertThat(c.path("startupProbe").path("httpGet").path("port").asText()).isEqualTo(http);
        assertThat(c.path("startupProbe").path("failureThreshold").asInt() * c.path("startupProbe").path("periodSeconds").asInt())
                .as("seconds allowed to start (model load, topic recovery)").isGreaterThanOrEqualTo(120);
        assertThat(c.path("resources").path("requests").has("cpu")).isTrue();
        assertThat(c.path("resources").path("requests").has("memory")).isTrue();

        assertThat(pod.path("securityContext").path("runAsUser").asInt()).as("the images' user").isEqualTo(185);
        String claim = single(docs, "PersistentVolumeClaim").path("metadata").path("name").asText();
        assertThat(mountPathOfClaim(deployment, claim)).isNotEmpty();
        assertThat(single(docs, "PersistentVolumeClaim").path("spec").path("accessModes").get(0).asText())
                .isEqualTo("ReadWriteOnce");
        assertThat(single(docs, "PodDisruptionBudget").path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
    }

    private static void assertProbe(JsonNode probe, String path, String port) {
        assertThat(probe.path("httpGet").path("path").asText()).isEqualTo(path);
        assertThat(probe.path("httpGet").path("port").asText()).isEqualTo(port);
    }

    private static String httpPortName(JsonNode deployment) {
        for (JsonNode p : container(deployment, "lethe").path("ports")) {
            if (p.path("containerPort").asInt() == httpPort()) {
                return p.path("name").asText();
            }
        }
        throw new AssertionError("no container port equals quarkus.http.port " + httpPort());
    }

    private static int containerPort(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (name.equals(p.path("name").asText())) {
                return p.path("containerPort").asInt();
            }
        }
        return -1;
    }

    private static String mountPathOfClaim(JsonNode deployment, String claim) {
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        String volume = null;
        for (JsonNode v : pod.path("volumes")) {
            if (claim.equals(v.path("persistentVolumeClaim").path("claimName").asText())) {
                volume = v.path("name").asText();
            }
        }
        assertThat(volume).as("a volume from claim " + claim).isNotNull();
        for (JsonNode m : container(deployment, "lethe").path("volumeMounts")) {
            if (volume.equals(m.path("name").asText())) {
                return m.path("mountPath").asText();
            }
        }
        throw new AssertionError("volume " + volume + " is not mounted");
    }

    private static String clusterOf(JsonNode resource) {
        return resource.path("metadata").path("labels").path("strimzi.io/cluster").asText();
    }

    /**
     * The container's environment as the daemon sees it: the ConfigMap (envFrom), then env; a secret
     * reference gets a placeholder value when {@code placeholders} is set.
     */
    static Map<String, String> environment(List<JsonNode> docs, boolean placeholders) {
        JsonNode deployment = single(docs, "Deployment");
        JsonNode c = container(deployment, "lethe");
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : c.path("envFrom")) {
            String name = from.path("configMapRef").path("name").asText();
            for (JsonNode cm : ofKind(docs, "ConfigMap")) {
                if (cm.path("metadata").path("name").asText().equals(name)) {
                    env.putAll(textMap(cm.path("data")));
                }
            }
        }
        assertThat(env).as("the ConfigMap named in envFrom is part of the tree").isNotEmpty();
        for (JsonNode e : c.path("env")) {
            if (e.has("value")) {
                env.put(e.path("name").asText(), e.path("value").asText());
            } else if (placeholders) {
                env.put(e.path("name").asText(), "secret-placeholder-0123456789");
            }
        }
        return env;
    }

    /** kubectl with kustomize v4 or later (components, patches); Debian's kubectl 1.20 has v2.0.3. */
    static boolean kubectlAvailable() {
        try {
            Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Kustomize Version: v(\\d+)").matcher(out);
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && m.find() && Integer.parseInt(m.group(1)) >= 4;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static List<JsonNode> render(String dir) throws Exception {
        Process p = new ProcessBuilder("kubectl", "kustomize", dir).directory(ROOT.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize %s: %s", dir, err).isZero();
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(out)) {
            while (it.hasNext()) {
                docs.add(it.next());
            }
        }
        return docs;
    }
}
