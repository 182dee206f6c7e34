package dev.lethe.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * JSON and Markdown of a {@link SequentialReport}.
 *
 * <p>JSON shape: {@code {"dataset", "seed", "trainSize", …, "batchSamples": [...],
 * "checkpoints": [{"batches", "erasedSamples", "erasedFraction", "avgGap", "taGap",
 * "earliestMiaGap", "earliestSize", "earliestMiaAuc", "earliestOracleMiaAuc", "earliestOriginalMiaAuc",
 * "gateFailures", "unlearningSeconds", "oracleSeconds", "model": {forgetAcc, retainAcc, testAcc, miaAuc,
 * miaAucLow, miaAucHigh}, "oracle": {…}, "original": {…}}]}}. Doubles are rounded to 4 decimals.
 */
public final class SequentialReports {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SequentialReports() {
    }

    public static String toJson(SequentialReport r) {
        ObjectNode root = NODES.objectNode();
        root.put("dataset", r.dataset());
        root.put("seed", r.seed());
        root.put("trainSize", r.trainSize());
        root.put("holdoutSize", r.holdoutSize());
        root.put("parameters", r.parameters());
        root.put("architecture", r.architecture());
        root.put("unlearnedTensors", r.unlearnedTensors());
        put(root, "originalTestAcc", r.originalTestAcc());
        put(root, "originalSeconds", r.originalSeconds());
        put(root, "seconds", r.seconds());
        root.put("batches", r.batchSamples().size());
        r.batchSamples().forEach(root.putArray("batchSamples")::add);
        r.batchSubjects().forEach(root.putArray("batchSubjects")::add);
        var checkpoints = root.putArray("checkpoints");
        for (SequentialReport.Checkpoint c : r.checkpoints()) {
            ObjectNode n = checkpoints.addObject();
            n.put("batches", c.batches());
            n.put("erasedSamples", c.erasedSamples());
            n.put("erasedSubjects", c.erasedSubjects());
            put(n, "erasedFraction", c.erasedFraction());
            put(n, "avgGap", c.avgGap());
            put(n, "taGap", c.taGap());
            put(n, "earliestMiaGap", c.earliestMiaGap());
            n.put("earliestSize", c.earliestSize());
            put(n, "earliestMiaAuc", c.earliestMia());
            put(n, "earliestOracleMiaAuc", c.earliestOracleMia());
            put(n, "earliestOriginalMiaAuc", c.earliestOriginalMia());
            put(n, "earliestForgetAcc", c.earliestFa());
            put(n, "earliestOracleForgetAcc", c.earliestOracleFa());
            n.put("gateFailures", c.gateFailures());
            put(n, "unlearningSeconds", c.unlearningSeconds());
            put(n, "oracleSeconds", c.oracleSeconds());
            metrics(n.putObject("model"), c.model());
            metrics(n.putObject("oracle"), c.oracle());
            metrics(n.putObject("original"), c.original());
        }
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the sequential report", e);
        }
    }

    public static void writeJson(SequentialReport r, Path file) throws IOException {
        JsonReport.writeAtomically(file, (toJson(r) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    public static void writeMarkdown(SequentialReport r, Path file) throws IOException {
        JsonReport.writeAtomically(file, toMarkdown(r).getBytes(StandardCharsets.UTF_8));
    }

    /** One row per checkpoint: the deployed model against the retrain oracle. */
    public static String toMarkdown(SequentialReport r) {
        StringBuilder b = new StringBuilder();
        int large = (int) r.batchSubjects().stream().filter(s -> s > 1).count();
        b.append(String.format(Locale.ROOT, "Sequential erasure on %s (seed %d): %d training samples, %s, %d batches "
                        + "(%d large), original TA %.4f; every row compares the deployed model with a model retrained "
                        + "without everything erased so far.%n%n",
                r.dataset(), r.seed(), r.trainSize(), r.architecture(), r.batchSamples().size(), large,
                r.originalTestAcc()));
        b.append("| batches | erased | FA model / oracle | RA model / oracle | TA model / oracle | MIA model / oracle "
                + "(original) | avgGap | TA gap | earliest n | earliest MIA model / oracle (original) | gate failures "
                + "| unlearning s | retrain s |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (SequentialReport.Checkpoint c : r.checkpoints()) {
            b.append(String.format(Locale.ROOT,
                    "| %d | %d (%.1f %%) | %.3f / %.3f | %.3f / %.3f | %.4f / %.4f | %.3f / %.3f (%.3f) | %.4f | %+.4f "
                            + "| %d | %.3f / %.3f (%.3f) | %d | %.1f | %.1f |%n",
                    c.batches(), c.erasedSamples(), 100 * c.erasedFraction(), c.model().forgetAcc(),
                    c.oracle().forgetAcc(), c.model().retainAcc(), c.oracle().retainAcc(), c.model().testAcc(),
                    c.oracle().testAcc(), c.model().miaAuc(), c.oracle().miaAuc(), c.original().miaAuc(), c.avgGap(),
                    c.taGap(), c.earliestSize(), c.earliestMia(), c.earliestOracleMia(), c.earliestOriginalMia(),
                    c.gateFailures(), c.unlearningSeconds(), c.oracleSeconds()));
        }
        return b.toString();
    }

    private static void metrics(ObjectNode n, ModelMetrics m) {
        put(n, "forgetAcc", m.forgetAcc());
        put(n, "retainAcc", m.retainAcc());
        put(n, "testAcc", m.testAcc());
        put(n, "miaAuc", m.miaAuc());
        put(n, "miaAucLow", m.miaAucLow());
        put(n, "miaAucHigh", m.miaAucHigh());
    }

    private static void put(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, JsonReport.round(v, 4));
        } else {
            n.putNull(key);
        }
    }
}
