package dev.lethe.ops;

import static dev.lethe.ops.OpsFiles.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Offline schema validation of every kustomize tree: each resource against the vendored schema of
 * its apiVersion and kind (src/test/resources/k8s-schemas/schemas.yaml: Kubernetes, Strimzi v1,
 * Prometheus Operator). The rendered trees when kubectl (kustomize v5) is on the PATH, as in CI;
 * the resource files themselves always.
 */
class KubernetesSchemaTest {

    private static final JsonNode SCHEMAS = load();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);

    @Test
    void everyResourceFileOfEveryTreeMatchesItsSchema() {
        List<JsonNode> docs = new ArrayList<>();
        for (String dir : List.of("k8s/base", "k8s/components/monitoring")) {
            docs.addAll(kustomizeResources(path(dir)));
        }
        for (String patch : List.of("k8s/overlays/gpu/deployment-gpu.yaml", "k8s/overlays/gpu/configmap-gpu.yaml")) {
            assertThat(yaml(path(patch)).path("kind").asText()).isNotEmpty();
        }
        assertThat(docs).hasSizeGreaterThan(10);
        assertThat(docs).allSatisfy(d -> assertThat(errors(d)).as(describe(d)).isEmpty());
    }

    @Test
    void everyRenderedTreeMatchesTheSchemas() throws Exception {
        Assumptions.assumeTrue(KubernetesManifestsTest.kubectlAvailable(), "no kubectl with kustomize >= v4 on the PATH (CI installs it)");
        for (String tree : KubernetesManifestsTest.TREES) {
            List<JsonNode> docs = KubernetesManifestsTest.render(tree);
            assertThat(docs).as(tree).isNotEmpty();
            assertThat(docs).allSatisfy(d -> assertThat(errors(d)).as(tree + ": " + describe(d)).isEmpty());
        }
    }

    @Test
    void theSchemasCatchTyposRemovedFieldsAndUnquotedValues() {
        ObjectNode deployment = single(kustomizeResources(path("k8s/base")), "Deployment").deepCopy();
        ObjectNode container = (ObjectNode) deployment.at("/spec/template/spec/containers/0");
        container.set("imagePulPolicy", container.remove("imagePullPolicy"));
        assertThat(errors(deployment)).anyMatch(m -> m.contains("imagePulPolicy"));

        ObjectNode user = single(kustomizeResources(path("k8s/base")), "KafkaUser").deepCopy();
        ObjectNode acl = (ObjectNode) user.at("/spec/authorization/acls/0");
        acl.put("operation", "Read"); // v1beta2's singular field, gone in kafka.strimzi.io/v1
        assertThat(errors(user)).anyMatch(m -> m.contains("operation"));
        user.put("apiVersion", "kafka.strimzi.io/v1beta2");
        assertThat(errors(user)).anyMatch(m -> m.contains("no schema for kafka.strimzi.io/v1beta2/KafkaUser"));

        ObjectNode config = single(kustomizeResources(path("k8s/base")), "ConfigMap").deepCopy();
        ((ObjectNode) config.path("data")).put("LETHE_BATCH_MAX_SAMPLES", 200);
        assertThat(errors(config)).anyMatch(m -> m.contains("LETHE_BATCH_MAX_SAMPLES"));

        ObjectNode env = (ObjectNode) ((ArrayNode) container.path("env")).get(0);
        env.put("value", true);
        assertThat(errors(deployment)).anyMatch(m -> m.contains("env[0].value") || m.contains("env/0/value"));
    }

    /** The schema violations of one resource; a kind without a schema is one. */
    static Set<String> errors(JsonNode resource) {
        String key = resource.path("apiVersion").asText() + "/" + resource.path("kind").asText();
        JsonNode kind = SCHEMAS.path("kinds").get(key);
        if (kind == null) {
            return Set.of("no schema for " + key + " (add it to k8s-schemas/schemas.yaml)");
        }
        return schemaOf(resource, kind).validate(resource).stream().map(ValidationMessage::getMessage)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    private static JsonSchema schemaOf(JsonNode resource, JsonNode kind) {
        ObjectNode schema = JSON.createObjectNode();
        schema.set("definitions", SCHEMAS.path("definitions"));
        schema.put("type", "object");
        schema.putArray("required").add("apiVersion").add("kind").add("metadata");
        schema.put("additionalProperties", false);
        ObjectNode props = schema.putObject("properties");
        props.putObject("apiVersion").put("const", resource.path("apiVersion").asText());
        props.putObject("kind").put("const", resource.path("kind").asText());
        ObjectNode metadata = props.putObject("metadata");
        ArrayNode allOf = metadata.putArray("allOf");
        allOf.addObject().put("$ref", "#/definitions/metadata");
        kind.path("properties").fields().forEachRemaining(e -> {
            if (e.getKey().equals("metadata")) {
                allOf.add(e.getValue());
            } else {
                props.set(e.getKey(), e.getValue());
            }
        });
        kind.path("required").forEach(r -> ((ArrayNode) schema.get("required")).add(r));
        return FACTORY.getSchema(schema);
    }

    private static String describe(JsonNode d) {
        return d.path("apiVersion").asText() + " " + d.path("kind").asText() + " " + d.path("metadata").path("name").asText();
    }

    private static JsonNode load() {
        try (InputStream in = KubernetesSchemaTest.class.getResourceAsStream("/k8s-schemas/schemas.yaml")) {
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
