package dev.lethe.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The contract between a team's training script and Lethe ({@code split.json}, as
 * {@code scripts/pytorch/train_fashion_bn.py} writes it): which images of a pool the model was
 * trained on and whose they are, which subjects are to be forgotten (and were left out of the
 * retrain oracle), and which images neither model saw (validation, holdout).
 *
 * <pre>{"train":[{"index":12,"subject":"subject-000001"},…], "forgetSubjects":[…],
 *  "validation":[…], "holdout":[…], "inputShape":[1,28,28], "numClasses":10, "seed":7}</pre>
 *
 * <p>Sample ids are {@code train-<index>}, {@code validation-<index>} and {@code holdout-<index>}.
 */
public record SplitManifest(List<Integer> trainIndices, List<String> trainSubjects, Set<String> forgetSubjects,
        List<Integer> validation, List<Integer> holdout, long seed, Training training) {

    /**
     * How the script trained the model and its retrain oracle, as it reports it (NaN / 0 where it
     * does not): epochs and wall seconds of each.
     */
    public record Training(int epochs, double modelSeconds, double oracleSeconds) {
    }

    public static SplitManifest read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        if (root == null || !root.path("train").isArray() || !root.path("forgetSubjects").isArray()) {
            throw new IOException(file + " is not a split manifest (needs train and forgetSubjects arrays)");
        }
        List<Integer> indices = new ArrayList<>();
        List<String> subjects = new ArrayList<>();
        for (JsonNode t : root.get("train")) {
            indices.add(t.path("index").asInt(-1));
            subjects.add(t.path("subject").asText(""));
        }
        Set<String> forget = new LinkedHashSet<>();
        root.get("forgetSubjects").forEach(s -> forget.add(s.asText()));
        JsonNode results = root.path("results");
        Training training = new Training(root.path("recipe").path("epochs").asInt(0),
                results.path("model").path("seconds").asDouble(Double.NaN),
                results.path("oracle").path("seconds").asDouble(Double.NaN));
        return new SplitManifest(indices, subjects, forget, ints(root.path("validation")), ints(root.path("holdout")),
                root.path("seed").asLong(0), training);
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    public SampleSet train(LabelledImages pool) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < trainIndices.size(); i++) {
            int index = check(pool, trainIndices.get(i));
            samples.add(new Sample("train-" + index, trainSubjects.get(i), pool.labels()[index], pool.images()[index]));
        }
        return new SampleSet(samples, pool.shape(), pool.numClasses());
    }

    public SampleSet validation(LabelledImages pool) {
        return unseen(pool, validation, "validation");
    }

    public SampleSet holdout(LabelledImages pool) {
        return unseen(pool, holdout, "holdout");
    }

    /** A benchmark split on the manifest's images, with a retain buffer of {@code retainSize} drawn by reservoir. */
    public BenchmarkSplit benchmarkSplit(LabelledImages pool, int retainSize, long retainSeed) {
        SampleSet train = train(pool);
        SampleSet forget = train.bySubjects(forgetSubjects);
        if (forget.isEmpty()) {
            throw new IllegalArgumentException("no training sample belongs to the manifest's forget subjects");
        }
        SampleSet remaining = train.filter(s -> !forgetSubjects.contains(s.subjectId()));
        Reservoir<Sample> buffer = new Reservoir<>(Math.min(retainSize, remaining.size()),
                new SplittableRandom(retainSeed).nextLong());
        remaining.samples().forEach(buffer::offer);
        return new BenchmarkSplit(train, forget, train.with(buffer.snapshot()), validation(pool), holdout(pool));
    }

    private static SampleSet unseen(LabelledImages pool, List<Integer> indices, String prefix) {
        List<Sample> samples = new ArrayList<>();
        for (int index : indices) {
            check(pool, index);
            // Non-members are never erased; they get a subject only because every sample has one.
            samples.add(new Sample(prefix + "-" + index, prefix + "-subject", pool.labels()[index], pool.images()[index]));
        }
        return new SampleSet(samples, pool.shape(), pool.numClasses());
    }

    private static int check(LabelledImages pool, int index) {
        if (index < 0 || index >= pool.size()) {
            throw new IllegalArgumentException("manifest index " + index + " is outside the pool of " + pool.size());
        }
        return index;
    }
}
