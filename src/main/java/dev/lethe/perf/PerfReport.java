package dev.lethe.perf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code lethe perf} measured: figures grouped by section, where and how they were measured,
 * and the sections not measured yet (with why), as JSON and Markdown.
 *
 * @param environment machine, JVM, engine and settings, in insertion order
 * @param figures     every measured figure
 * @param pending     section title → why it has no figures yet (never invented numbers)
 * @param notes       free-text lines shown under the tables (e.g. what a fallback means)
 */
public record PerfReport(Map<String, String> environment, List<Figure> figures, Map<String, String> pending,
                         List<String> notes) {

    public PerfReport {
        environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        figures = List.copyOf(figures);
        pending = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pending));
        notes = List.copyOf(notes);
    }

    /** This report with more figures and notes appended (e.g. from an adapter outside the core). */
    public PerfReport with(List<Figure> moreFigures, List<String> moreNotes) {
        List<Figure> f = new ArrayList<>(figures);
        f.addAll(moreFigures);
        List<String> n = new ArrayList<>(notes);
        n.addAll(moreNotes);
        return new PerfReport(environment, f, pending, n);
    }

    /** This report with one more section not measured, and why. */
    public PerfReport withPending(String section, String why) {
        Map<String, String> p = new LinkedHashMap<>(pending);
        p.put(section, why);
        return new PerfReport(environment, figures, p, notes);
    }

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public List<String> sections() {
        Set<String> s = new LinkedHashSet<>();
        figures.forEach(f -> s.add(f.section()));
        return new ArrayList<>(s);
    }

    public String toJson() {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode root = nodes.objectNode();
        ObjectNode env = root.putObject("environment");
        environment.forEach(env::put);
        ArrayNode list = root.putArray("figures");
        for (Figure f : figures) {
            ObjectNode o = list.addObject();
            o.put("section", f.section());
            o.put("name", f.name());
            o.put("label", f.label());
            o.put("unit", f.unit());
            o.put("median", round(f.stats().median()));
            o.put("p25", round(f.stats().p25()));
            o.put("p75", round(f.stats().p75()));
            o.put("min", round(f.stats().min()));
            o.put("max", round(f.stats().max()));
            o.put("n", f.stats().n());
            if (f.goal() != null) {
                o.put("goal", f.goal().text());
                o.put("met", f.met());
            }
        }
        ObjectNode p = root.putObject("pending");
        pending.forEach(p::put);
        ArrayNode n = root.putArray("notes");
        notes.forEach(n::add);
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the performance report", e);
        }
    }

    private static BigDecimal round(double v) {
        if (!Double.isFinite(v)) {
            return null;
        }
        return new BigDecimal(v).round(new MathContext(5));
    }

    public String toMarkdown() {
        StringBuilder md = new StringBuilder("## lethe perf\n\n");
        environment.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        for (String section : sections()) {
            md.append("\n### ").append(section).append("\n\n");
            md.append("| figure | median | p25–p75 | min–max | n | goal | met |\n");
            md.append("|---|---:|---:|---:|---:|---|---|\n");
            for (Figure f : figures) {
                if (!f.section().equals(section)) {
                    continue;
                }
                Stats s = f.stats();
                String unit = f.unit().isEmpty() ? "" : " " + f.unit();
                md.append("| ").append(f.label())
                        .append(" | ").append(Figure.format(s.median())).append(unit)
                        .append(" | ").append(s.n() > 1 ? Figure.format(s.p25()) + "–" + Figure.format(s.p75()) : "")
                        .append(" | ").append(s.n() > 1 ? Figure.format(s.min()) + "–" + Figure.format(s.max()) : "")
                        .append(" | ").append(s.n())
                        .append(" | ").append(f.goal() == null ? "" : f.goal().text())
                        .append(" | ").append(f.goal() == null ? "" : f.met() ? "yes" : "**no**")
                        .append(" |\n");
            }
        }
        for (Map.Entry<String, String> e : pending.entrySet()) {
            md.append("\n### ").append(e.getKey()).append(" — NOT MEASURED\n\n").append(e.getValue()).append('\n');
        }
        if (!notes.isEmpty()) {
            md.append("\n### Notes\n\n");
            notes.forEach(line -> md.append("- ").append(line).append('\n'));
        }
        return md.toString();
    }

    public void writeJson(Path file) throws IOException {
        write(file, toJson());
    }

    public void writeMarkdown(Path file) throws IOException {
        write(file, toMarkdown());
    }

    private static void write(Path file, String text) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
