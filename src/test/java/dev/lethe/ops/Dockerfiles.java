package dev.lethe.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Dockerfile read into instructions (continuations joined, comments dropped); enough to check. */
record Dockerfiles(Path file, List<Instruction> instructions) {

    record Instruction(String keyword, String arguments) {
    }

    static Dockerfiles read(String relative) {
        Path file = OpsFiles.path(relative);
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        try {
            for (String raw : Files.readAllLines(file)) {
                String line = raw.strip();
                if (current.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
                    continue;
                }
                if (!current.isEmpty() && line.startsWith("#")) {
                    continue;
                }
                if (line.endsWith("\\")) {
                    current.append(line, 0, line.length() - 1).append(' ');
                    continue;
                }
                current.append(line);
                String joined = current.toString().strip();
                current.setLength(0);
                int space = joined.indexOf(' ');
                out.add(new Instruction(joined.substring(0, space).toUpperCase(Locale.ROOT), joined.substring(space + 1).strip()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Dockerfiles(file, out);
    }

    /** Instructions of the final stage (after the last FROM). */
    List<Instruction> finalStage() {
        int last = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).keyword().equals("FROM")) {
                last = i;
            }
        }
        return instructions.subList(last, instructions.size());
    }

    List<String> all(String keyword) {
        return finalStage().stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    String last(String keyword) {
        List<String> found = all(keyword);
        return found.isEmpty() ? null : found.get(found.size() - 1);
    }

    private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|\\S+)");

    /** ENV of the final stage, key=value form. */
    Map<String, String> env() {
        Map<String, String> env = new TreeMap<>();
        for (String args : all("ENV")) {
            Matcher m = ENV_PAIR.matcher(args);
            while (m.find()) {
                String v = m.group(2);
                if (v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'"))) {
                    v = v.substring(1, v.length() - 1);
                }
                env.put(m.group(1), v);
            }
        }
        return env;
    }

    /** ARG defaults across all stages. */
    Map<String, String> args() {
        Map<String, String> args = new TreeMap<>();
        for (Instruction i : instructions) {
            if (i.keyword().equals("ARG") && i.arguments().contains("=")) {
                String[] kv = i.arguments().split("=", 2);
                args.put(kv[0].strip(), kv[1].strip());
            }
        }
        return args;
    }

    /** The exec-form JSON array of the HEALTHCHECK CMD. */
    List<String> healthcheckCommand() throws IOException {
        String hc = last("HEALTHCHECK");
        int cmd = hc.indexOf("CMD ");
        List<String> argv = new ArrayList<>();
        OpsFiles.JSON.readTree(hc.substring(cmd + 4)).forEach(n -> argv.add(n.asText()));
        return argv;
    }

    List<String> execForm(String keyword) throws IOException {
        List<String> argv = new ArrayList<>();
        OpsFiles.JSON.readTree(last(keyword)).forEach(n -> argv.add(n.asText()));
        return argv;
    }
}
