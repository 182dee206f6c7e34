package dev.lethe.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Serialises a {@link BenchmarkReport} to a flat, stable JSON document.
 *
 * <p>Shape (required keys; more are present):
 * <pre>
 * {"dataset", "seed", "trainSize", "forgetSize", "retainSize", "holdoutSize", "parameters",
 *  "original": {"forgetAcc", "retainAcc", "testAcc", "miaAuc", "seconds"},
 *  "results": [{"method", "forgetAcc", "retainAcc", "testAcc", "miaAuc", "miaAucLow", "miaAucHigh",
 *               "uis", "avgGap", "steps", "seconds"}, ...]}
 * </pre>
 * Extra keys: {@code validationSize}, {@code architecture}, {@code device},
 * {@code unlearnedParameters} and {@code unlearnedTensors} (the tensors the step-wise methods change;
 * empty when they change all),
 * {@code original.retainAcc/miaAucLow/miaAucHigh}, per result {@code stopReason},
 * {@code hyperparameters} and {@code trace} (array of {@code {step, forgetAcc, testAcc, miaAuc}}), and
 * {@code retainSweep} (array of {@code {retainSize, retainFraction, results}}, results without trace),
 * and, for {@code original} and every result, {@code attacks}: {@code {"<name>": {auc, aucLow, aucHigh,
 * tprAt1pctFpr, tprAt01pctFpr}}} for {@code loss}, {@code rmia} and {@code probe} (ADR 0012).
 * Doubles are rounded to 4 decimals (seconds to 3); NaN and infinities become {@code null}.
 */
public final class JsonReport {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonReport() {
    }

    /** The report as pretty-printed JSON. */
    public static String toJson(BenchmarkReport report) {
        try {
            return MAPPER.writeValueAsString(toTree(report));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise benchmark report", e);
        }
    }

    /** Writes {@link #toJson} to {@code file}, replacing it atomically where the file system allows. */
    public static void write(BenchmarkReport report, Path file) throws IOException {
        writeAtomically(file, (toJson(report) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The report as a Jackson tree, in the documented key order. */
    static ObjectNode toTree(BenchmarkReport report) {
        ObjectNode root = NODES.objectNode();
        root.put("dataset", report.dataset());
        root.put("seed", report.seed());
        root.put("subjects", report.subjects());
        root.put("trainSize", report.trainSize());
        root.put("forgetSize", report.forgetSize());
        root.put("retainSize", report.retainSize());
        root.put("holdoutSize", report.holdoutSize());
        root.put("validationSize", report.validationSize());
        root.put("parameters", report.parameters());
        root.put("architecture", report.architecture());
        root.put("device", report.device());
        root.put("unlearnedParameters", report.unlearnedParameters());
        report.unlearnedTensors().forEach(root.putArray("unlearnedTensors")::add);

        ObjectNode original = root.putObject("original");
        putMetrics(original, report.original());
        putRounded(original, "seconds", report.originalSeconds(), 3);

        ArrayNode results = root.putArray("results");
        for (MethodResult result : nullSafe(report.results())) {
            results.add(resultNode(result, true));
        }

        ArrayNode sweep = root.putArray("retainSweep");
        for (BenchmarkReport.SweepPoint point : nullSafe(report.retainSweep())) {
            ObjectNode p = sweep.addObject();
            p.put("retainSize", point.retainSize());
            putRounded(p, "retainFraction", point.retainFraction(), 4);
            ArrayNode pr = p.putArray("results");
            for (MethodResult result : nullSafe(point.results())) {
                pr.add(resultNode(result, false));
            }
        }
        return root;
    }

    private static ObjectNode resultNode(MethodResult result, boolean withTrace) {
        ObjectNode node = NODES.objectNode();
        node.put("method", result.method());
        putMetrics(node, result.metrics());
        putRounded(node, "uis", result.uis(), 4);
        putRounded(node, "avgGap", result.avgGap(), 4);
        node.put("steps", result.steps());
        putRounded(node, "seconds", result.seconds(), 3);
        node.put("stopReason", result.stopReason());
        ObjectNode hp = node.putObject("hyperparameters");
        if (result.hyperparameters() != null) {
            result.hyperparameters().forEach((k, v) -> hp.set(String.valueOf(k), valueNode(v)));
        }
        if (withTrace) {
            ArrayNode trace = node.putArray("trace");
            for (StepMetrics s : nullSafe(result.trace())) {
                ObjectNode t = trace.addObject();
                t.put("step", s.step());
                putRounded(t, "forgetAcc", s.forgetAcc(), 4);
                putRounded(t, "testAcc", s.testAcc(), 4);
                putRounded(t, "miaAuc", s.miaAuc(), 4);
            }
        }
        return node;
    }

    private static void putMetrics(ObjectNode node, ModelMetrics m) {
        if (m == null) {
            for (String key : List.of("forgetAcc", "retainAcc", "testAcc", "miaAuc", "miaAucLow", "miaAucHigh")) {
                node.putNull(key);
            }
            return;
        }
        putRounded(node, "forgetAcc", m.forgetAcc(), 4);
        putRounded(node, "retainAcc", m.retainAcc(), 4);
        putRounded(node, "testAcc", m.testAcc(), 4);
        putRounded(node, "miaAuc", m.miaAuc(), 4);
        putRounded(node, "miaAucLow", m.miaAucLow(), 4);
        putRounded(node, "miaAucHigh", m.miaAucHigh(), 4);
        if (!m.attacks().isEmpty()) {
            ObjectNode attacks = node.putObject("attacks");
            m.attacks().forEach((name, a) -> {
                ObjectNode o = attacks.putObject(name);
                putRounded(o, "auc", a.auc(), 4);
                putRounded(o, "aucLow", a.aucLow(), 4);
                putRounded(o, "aucHigh", a.aucHigh(), 4);
                putRounded(o, "tprAt1pctFpr", a.tprAt1pctFpr(), 4);
                putRounded(o, "tprAt01pctFpr", a.tprAt01pctFpr(), 4);
            });
        }
    }

    private static void putRounded(ObjectNode node, String key, double value, int decimals) {
        if (!Double.isFinite(value)) {
            node.putNull(key);
        } else {
            node.put(key, round(value, decimals));
        }
    }

    /** {@code value} rounded half-up to {@code decimals} places; NaN and infinities pass through. */
    static double round(double value, int decimals) {
        if (!Double.isFinite(value)) {
            return value;
        }
        return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
    }

    /** Hyperparameter values: numbers rounded like metrics, non-finite to null, the rest via Jackson. */
    private static JsonNode valueNode(Object v) {
        if (v == null) {
            return NODES.nullNode();
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return Double.isFinite(d) ? NODES.numberNode(round(d, 6)) : NODES.nullNode();
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger) {
            return NODES.numberNode(((Number) v).longValue());
        }
        if (v instanceof Number n) {
            return NODES.numberNode(n.doubleValue());
        }
        if (v instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (v instanceof CharSequence || v instanceof Enum<?>) {
            return NODES.textNode(v.toString());
        }
        if (v instanceof Map<?, ?> map) {
            ObjectNode o = NODES.objectNode();
            map.forEach((k, x) -> o.set(String.valueOf(k), valueNode(x)));
            return o;
        }
        if (v instanceof Collection<?> c) {
            ArrayNode a = NODES.arrayNode();
            c.forEach(x -> a.add(valueNode(x)));
            return a;
        }
        try {
            return MAPPER.valueToTree(v);
        } catch (IllegalArgumentException e) {
            return NODES.textNode(v.toString());
        }
    }

    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }

    /**
     * Writes {@code bytes} to a temporary file next to {@code file}, then moves it over {@code file}
     * (atomically where supported), so readers never see a half-written report.
     */
    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        // not Files.createTempFile: that makes the file owner-only, and the report is meant to be shared
        Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: the move already succeeded or the original error is more useful
            }
        }
    }
}
