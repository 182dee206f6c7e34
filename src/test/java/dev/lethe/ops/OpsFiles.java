package dev.lethe.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.lethe.daemon.config.LetheConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the ops tests share: the repository's files (docker/, k8s/, deploy/), YAML reading, the
 * application's own configuration (LetheConfig by reflection, application.properties), and the
 * metric names a PromQL expression uses.
 */
final class OpsFiles {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final YAMLMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new ObjectMapper();

    private OpsFiles() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    /** Every document of a (multi-document) YAML file; empty documents skipped. */
    static List<JsonNode> yamlDocuments(Path file) {
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    static JsonNode yaml(Path file) {
        List<JsonNode> docs = yamlDocuments(file);
        if (docs.size() != 1) {
            throw new IllegalStateException(file + " has " + docs.size() + " documents");
        }
        return docs.get(0);
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of the YAML files a kustomization lists under resources (files only). */
    static List<JsonNode> kustomizeResources(Path dir) {
        List<JsonNode> docs = new ArrayList<>();
        for (JsonNode r : yaml(dir.resolve("kustomization.yaml")).path("resources")) {
            Path p = dir.resolve(r.asText());
            if (Files.isRegularFile(p)) {
                docs.addAll(yamlDocuments(p));
            }
        }
        return docs;
    }

    static List<JsonNode> ofKind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    static JsonNode single(List<JsonNode> docs, String kind) {
        List<JsonNode> found = ofKind(docs, kind);
        if (found.size() != 1) {
            throw new IllegalStateException("expected one " + kind + ", found " + found.size());
        }
        return found.get(0);
    }

    // ---- the application's configuration ------------------------------------------------------

    /** src/main/resources/application.properties (the packaged defaults, e.g. quarkus.http.port). */
    static Properties applicationProperties() {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(path("src/main/resources/application.properties"))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    static int httpPort() {
        return Integer.parseInt(applicationProperties().getProperty("quarkus.http.port").trim());
    }

    /**
     * Every property name of {@link LetheConfig}, found by reflection over the mapping interface
     * ({@code @WithName} or the method name in kebab case); a map ends in {@code .*}.
     */
    static Set<String> letheProperties() {
        Set<String> names = new TreeSet<>();
        collect(LetheConfig.class, "lethe", names);
        return names;
    }

    private static void collect(Class<?> type, String prefix, Set<String> names) {
        for (Method m : type.getMethods()) {
            if (m.isDefault() || Modifier.isStatic(m.getModifiers()) || m.getParameterCount() > 0
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            WithName withName = m.getAnnotation(WithName.class);
            String name = prefix + "." + (withName != null ? withName.value() : kebab(m.getName()));
            Class<?> r = m.getReturnType();
            if (Map.class.isAssignableFrom(r)) {
                names.add(name + ".*");
            } else if (r.isInterface() && r.getName().startsWith(LetheConfig.class.getName())) {
                collect(r, name, names);
            } else {
                names.add(name);
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** The environment-variable form SmallRye Config matches: non-alphanumerics to _, upper case. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /**
     * Whether an environment variable names a LetheConfig key: exactly one of the leaf keys, or a key
     * under a map (e.g. {@code LETHE_KAFKA_CLIENT__SECURITY_PROTOCOL_}).
     */
    static boolean isLetheKey(String env) {
        for (String p : letheProperties()) {
            if (p.endsWith(".*")) {
                String stem = envName(p.substring(0, p.length() - 2)) + "_";
                if (env.startsWith(stem) && env.length() > stem.length()) {
                    return true;
                }
            } else if (envName(p).equals(env)) {
                return true;
            }
        }
        return false;
    }

    /** LetheConfig as the daemon would read it from exactly these environment variables. */
    static LetheConfig configFromEnvironment(Map<String, String> env) {
        return new SmallRyeConfigBuilder().withMapping(LetheConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new EnvConfigSource(env, 300)).build().getConfigMapping(LetheConfig.class);
    }

    // ---- PromQL -------------------------------------------------------------------------------

    private static final Set<String> PROMQL_KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on",
            "ignoring", "group_left", "group_right", "bool", "offset", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^\\]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
    /** An identifier not preceded by a word character or dot (so not part of 1e3) and not a call. */
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");

    /** The metric (and recording-rule) names a PromQL expression selects. */
    static Set<String> metricNames(String expr) {
        String s = TEMPLATE_VARIABLE.matcher(expr).replaceAll(" ");
        s = STRING.matcher(s).replaceAll(" ");
        s = MATCHERS.matcher(s).replaceAll(" ");
        s = RANGES.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String id = m.group(1);
            if (!PROMQL_KEYWORDS.contains(id.toLowerCase(Locale.ROOT))) {
                names.add(id);
            }
        }
        return names;
    }

    static Path alertRules() {
        return path("deploy/prometheus/lethe-alerts.yml");
    }

    static Path dashboard() {
        return path("deploy/grafana/dashboards/lethe.json");
    }

    /** Every expression of the alert rules file: alerts and recording rules. */
    static List<String> ruleExpressions() {
        List<String> exprs = new ArrayList<>();
        for (JsonNode group : yaml(alertRules()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                exprs.add(rule.path("expr").asText());
            }
        }
        return exprs;
    }

    /** Names the rules file records (recording rules). */
    static Set<String> recordedNames() {
        Set<String> names = new TreeSet<>();
        for (JsonNode group : yaml(alertRules()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("record")) {
                    names.add(rule.path("record").asText());
                }
            }
        }
        return names;
    }

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([^,)]+)");

    /**
     * Every PromQL expression of the dashboard: each {@code expr} anywhere (panel targets,
     * annotations) and the metric of each {@code label_values(metric, label)} variable query.
     */
    static List<String> dashboardExpressions() {
        List<String> exprs = new ArrayList<>();
        walk(json(dashboard()), (key, value) -> {
            if (key.equals("expr")) {
                exprs.add(value);
            } else if (key.equals("query") || key.equals("definition")) {
                Matcher m = LABEL_VALUES.matcher(value);
                while (m.find()) {
                    exprs.add(m.group(1));
                }
            }
        });
        return exprs;
    }

    private static void walk(JsonNode node, java.util.function.BiConsumer<String, String> textFields) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isTextual()) {
                    textFields.accept(e.getKey(), e.getValue().asText());
                } else {
                    walk(e.getValue(), textFields);
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> walk(n, textFields));
        }
    }

    /** Series names in a Prometheus text-format scrape. */
    static Set<String> scrapedNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    // ---- Kubernetes containers ----------------------------------------------------------------

    /** name -> plain value of a container's env; secret references map to null. */
    static Map<String, JsonNode> containerEnv(JsonNode container) {
        Map<String, JsonNode> env = new LinkedHashMap<>();
        for (JsonNode e : container.path("env")) {
            env.put(e.path("name").asText(), e);
        }
        return env;
    }

    static JsonNode container(JsonNode deployment, String name) {
        for (JsonNode c : deployment.path("spec").path("template").path("spec").path("containers")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new IllegalStateException("no container " + name);
    }

    static Map<String, String> textMap(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }
}
