package dev.lethe.core.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a {@code completed} audit event and a version event say about how the data were removed and
 * how that was checked: the method and its objective, each attack with its scores and threshold,
 * the gate's verdict, and {@code approximate: true} — unlearning changes a model until the attacks
 * cannot tell the samples from unseen ones; it is not a retrain (README, "What forgotten means").
 *
 * @param method      the unlearning method ({@code orthograd}, …)
 * @param objective   its forget objective ({@code match-log}, …), or null where it has none
 * @param approximate true for every method but a retrain
 * @param verdict     the gate's verdict: {@code passed}, {@code failed}, {@code insufficient-evidence}
 * @param attacks     each membership attack's reading
 */
public record GateRecord(String method, String objective, boolean approximate, String verdict,
        List<Attack> attacks) {

    /**
     * @param name      {@code loss} or {@code rmia}
     * @param auc       AUC after unlearning
     * @param aucBefore AUC on the model before
     * @param threshold highest AUC that passes
     * @param evidence  whether the attack told the model before from one that never saw the samples
     * @param passed    whether it read at or below its threshold (and above its floor)
     */
    public record Attack(String name, double auc, double aucBefore, double threshold, boolean evidence,
            boolean passed) {
        public Attack {
            Objects.requireNonNull(name, "name");
        }
    }

    public GateRecord {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(verdict, "verdict");
        attacks = List.copyOf(attacks);
    }

    /** Adds the fields to {@code json} (flat, next to the fields already there). */
    void writeTo(ObjectNode json) {
        json.put("method", method);
        if (objective == null) {
            json.putNull("objective");
        } else {
            json.put("objective", objective);
        }
        json.put("approximate", approximate);
        json.put("verdict", verdict);
        ArrayNode array = json.putArray("attacks");
        for (Attack a : attacks) {
            ObjectNode o = array.addObject();
            o.put("name", a.name());
            putDouble(o, "auc", a.auc());
            putDouble(o, "aucBefore", a.aucBefore());
            putDouble(o, "threshold", a.threshold());
            o.put("evidence", a.evidence());
            o.put("passed", a.passed());
        }
    }

    /** The fields {@link #writeTo} wrote, or null where {@code json} has none (events from before). */
    static GateRecord readFrom(JsonNode json) {
        JsonNode attacks = json.get("attacks");
        if (attacks == null) {
            return null;
        }
        if (!attacks.isArray()) {
            throw new IllegalArgumentException("attacks must be an array");
        }
        List<Attack> list = new ArrayList<>();
        for (JsonNode a : attacks) {
            list.add(new Attack(text(a, "name"), number(a, "auc"), number(a, "aucBefore"), number(a, "threshold"),
                    bool(a, "evidence"), bool(a, "passed")));
        }
        JsonNode objective = json.get("objective");
        return new GateRecord(text(json, "method"), objective == null || objective.isNull() ? null
                : objective.asText(), bool(json, "approximate"), text(json, "verdict"), list);
    }

    private static void putDouble(ObjectNode json, String name, double value) {
        if (Double.isFinite(value)) {
            json.put(name, value);
        } else {
            json.putNull(name);
        }
    }

    private static String text(JsonNode json, String name) {
        JsonNode n = json.get(name);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException(name + " must be a string");
        }
        return n.textValue();
    }

    private static boolean bool(JsonNode json, String name) {
        JsonNode n = json.get(name);
        if (n == null || !n.isBoolean()) {
            throw new IllegalArgumentException(name + " must be a boolean");
        }
        return n.booleanValue();
    }

    private static double number(JsonNode json, String name) {
        JsonNode n = json.get(name);
        if (n == null || !(n.isNull() || n.isNumber())) {
            throw new IllegalArgumentException(name + " must be a number or null");
        }
        return n.isNull() ? Double.NaN : n.doubleValue();
    }
}
