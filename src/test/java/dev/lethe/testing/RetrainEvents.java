package dev.lethe.testing;

import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.Sha256Hex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Retrain events as a training pipeline writes them (the documented contract, by hand). */
public final class RetrainEvents {

    private RetrainEvents() {
    }

    /** A structured CloudEvent {@code dev.lethe.model.retrained} for {@code artifact}. */
    public static String json(String id, String model, Path artifact, String sha256, String format,
            Map<Integer, Long> samplesPosition) {
        String offsets = new TreeMap<>(samplesPosition).entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":" + e.getValue()).collect(Collectors.joining(","));
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"urn:training-pipeline\",\"type\":\""
                + EventTypes.MODEL_RETRAINED + "\",\"time\":\"2026-12-02T00:00:00Z\",\"data\":{\"model\":\"" + model
                + "\",\"artifactUri\":\"" + artifact.toUri() + "\",\"sha256\":\"" + sha256 + "\",\"format\":\"" + format
                + "\",\"samplesPosition\":{" + offsets + "}}}";
    }

    /** What {@code sha256sum} prints for the file. */
    public static String sha256(Path file) throws IOException {
        return Sha256Hex.of(Files.readAllBytes(file));
    }
}
