package dev.lethe.bench;

import dev.lethe.core.data.FashionMnist;
import dev.lethe.core.data.LabelledImages;
import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.data.Subjects;
import dev.lethe.core.data.SyntheticData;
import dev.lethe.core.model.Devices;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.ParameterSubset;
import dev.lethe.core.model.Predictions;
import dev.lethe.core.model.SupervisedTraining;
import dev.lethe.core.unlearn.OrthoGrad;
import dev.lethe.core.unlearn.ProjectionMode;
import dev.lethe.core.unlearn.VerifiedUnlearning;
import dev.lethe.core.verify.MembershipInference;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A year of deletion requests in minutes: many small erasures applied one after the other to the
 * deployed model through the daemon's own core path ({@link VerifiedUnlearning} with OrthoGrad, the
 * daemon's default settings and gate), and every few batches a model retrained from scratch without
 * everything erased so far, to see whether the deployed model drifts away from it.
 *
 * <p>A batch whose unlearned model fails the gate leaves the deployed model unchanged, as in the
 * daemon (which escalates it for a retrain); its samples still count as erased, so the oracle keeps
 * excluding them and the gap shows what the escalation leaves behind.
 */
public final class SequentialBenchmark {

    /**
     * The sequential figures in docs/benchmark.md were measured with the 5-fold cross-validated
     * loss attack; it stays here so they stay comparable (the gate itself uses the calibrated one).
     */
    private static final int SEQUENTIAL_ATTACK_FOLDS = 5;


    private final SequentialConfig config;
    private final Consumer<String> progress;
    private final Consumer<SequentialReport> partial;

    /** @param partial receives the report so far after every checkpoint (a long run is usable if cut short) */
    public SequentialBenchmark(SequentialConfig config, Consumer<String> progress, Consumer<SequentialReport> partial) {
        this.config = config;
        this.progress = progress;
        this.partial = partial;
    }

    public SequentialReport run() throws IOException {
        long start = System.nanoTime();
        Data data = data();
        List<List<Sample>> subjects = new ArrayList<>(bySubject(data.train()).values());
        Collections.shuffle(subjects, new Random(config.seed() + 17));
        progress.accept(String.format("train %d (%d subjects of %d–%d samples), gate holdout %d, reported holdout %d",
                data.train().size(), subjects.size(), config.subjectMin(), config.subjectMax(),
                data.gateHoldout().size(), data.holdout().size()));
        try (Network original = Network.create(config.architecture(), data.train().shape(),
                data.train().numClasses(), Devices.choose(config.device()), config.seed())) {
            ParameterSubset unlearned = original.parameterSubset(config.parameterPattern());
            SupervisedTraining.Summary trained = SupervisedTraining.train(original, data.train(), config.recipe(),
                    config.seed(), line -> progress.accept("  original " + line));
            double originalTa = original.predict(data.holdout()).accuracy();
            progress.accept(String.format("original: %d epochs, %.1f s, TA %.4f; unlearning %s",
                    trained.epochs(), trained.seconds(), originalTa, unlearned));
            VerifiedUnlearning unlearning = new VerifiedUnlearning(
                    new OrthoGrad(config.unlearning(), ProjectionMode.GLOBAL, config.parameterPattern()), config.gate());

            List<Integer> batchSamples = new ArrayList<>();
            List<Integer> batchSubjects = new ArrayList<>();
            List<SequentialReport.Checkpoint> checkpoints = new ArrayList<>();
            List<Sample> erased = new ArrayList<>();
            Set<String> erasedIds = new HashSet<>();
            int next = 0;
            int failures = 0;
            int version = 1;
            double unlearningSeconds = 0;
            Random retainRng = new Random(config.seed() + 31);
            Network current = original.copy();
            try {
                while (next < subjects.size() && !done(batchSamples.size(), erased.size())) {
                    int b = batchSamples.size() + 1;
                    int take = config.largeEvery() > 0 && b % config.largeEvery() == 0 ? config.largeSubjects() : 1;
                    List<Sample> forget = new ArrayList<>();
                    int took = 0;
                    for (; took < take && next < subjects.size(); took++) {
                        forget.addAll(subjects.get(next++));
                    }
                    erased.addAll(forget);
                    forget.forEach(s -> erasedIds.add(s.sampleId()));
                    batchSamples.add(forget.size());
                    batchSubjects.add(took);
                    SampleSet remaining = data.train().filter(s -> !erasedIds.contains(s.sampleId()));
                    SampleSet retain = remaining.with(draw(remaining.samples(), config.retainSize(), retainRng));
                    long t0 = System.nanoTime();
                    // The daemon's seed for the version it is about to publish (ErasurePipeline).
                    VerifiedUnlearning.Outcome outcome = unlearning.run(current, data.train().with(forget), retain,
                            data.gateHoldout(), config.seed() * 1_000_003L + version + 1);
                    unlearningSeconds += (System.nanoTime() - t0) / 1e9;
                    if (outcome.passed()) {
                        current.close();
                        current = outcome.unlearned();
                        version++;
                    } else {
                        outcome.unlearned().close();
                        failures++;
                    }
                    progress.accept(String.format("batch %d: %d subjects, %d samples, %s, %d steps (%s), MIA %.3f → %.3f%s",
                            b, took, forget.size(), outcome.passed() ? "published" : "FAILED the gate",
                            outcome.result().steps(), outcome.result().stopReason(), outcome.miaAucBefore(),
                            outcome.miaAuc(), outcome.passed() ? "" : " (" + outcome.reason() + ")"));
                    boolean last = next >= subjects.size() || done(batchSamples.size(), erased.size());
                    if (b % config.checkpointEvery() == 0 || last) {
                        checkpoints.add(checkpoint(b, erased, batchSubjects, remaining, data, original, current,
                                failures, unlearningSeconds));
                        partial.accept(report(data, original, unlearned, originalTa, trained, batchSamples,
                                batchSubjects, checkpoints, start));
                    }
                }
            } finally {
                current.close();
            }
            return report(data, original, unlearned, originalTa, trained, batchSamples, batchSubjects, checkpoints,
                    start);
        }
    }

    private SequentialReport report(Data data, Network original, ParameterSubset unlearned, double originalTa,
                                    SupervisedTraining.Summary trained, List<Integer> batchSamples,
                                    List<Integer> batchSubjects, List<SequentialReport.Checkpoint> checkpoints,
                                    long start) {
        return new SequentialReport(config.dataset(), config.seed(), data.train().size(), data.holdout().size(),
                original.parameterCount(), config.architecture().id(), unlearned.toString(), originalTa,
                trained.seconds(), batchSamples, batchSubjects, checkpoints, (System.nanoTime() - start) / 1e9);
    }

    private boolean done(int batches, int erasedSamples) {
        return batches >= config.minBatches() && erasedSamples >= config.eraseFraction() * config.trainSize();
    }

    private SequentialReport.Checkpoint checkpoint(int batches, List<Sample> erased, List<Integer> batchSubjects,
                                                   SampleSet remaining, Data data, Network original, Network current,
                                                   int failures, double unlearningSeconds) {
        SampleSet all = data.train().with(erased);
        int earliestCount = Math.max(2, (int) Math.round(0.1 * erased.size()));
        SampleSet earliest = data.train().with(erased.subList(0, Math.min(earliestCount, erased.size())));
        progress.accept(String.format("checkpoint after %d batches: retraining without %d samples", batches, erased.size()));
        try (Network oracle = Network.create(config.architecture(), data.train().shape(), data.train().numClasses(),
                original.device(), config.seed())) {
            SupervisedTraining.Summary s = SupervisedTraining.train(oracle, remaining, config.recipe(), config.seed(),
                    line -> { });
            ModelMetrics m = measure(current, all, remaining, data.holdout());
            ModelMetrics o = measure(oracle, all, remaining, data.holdout());
            ModelMetrics orig = measure(original, all, remaining, data.holdout());
            Predictions me = current.predict(earliest);
            Predictions oe = oracle.predict(earliest);
            double[] hm = current.predict(data.holdout()).losses();
            double[] ho = oracle.predict(data.holdout()).losses();
            double[] hg = original.predict(data.holdout()).losses();
            double em = attack(me.losses(), hm);
            double eo = attack(oe.losses(), ho);
            double eg = attack(original.predict(earliest).losses(), hg);
            SequentialReport.Checkpoint c = new SequentialReport.Checkpoint(batches, erased.size(),
                    batchSubjects.stream().mapToInt(Integer::intValue).sum(),
                    (double) erased.size() / data.train().size(), m, o, orig, BenchmarkRunner.avgGap(m, o),
                    m.testAcc() - o.testAcc(), earliest.size(), em, eo, eg, Math.abs(em - eo), me.accuracy(),
                    oe.accuracy(), failures, unlearningSeconds, s.seconds());
            progress.accept(String.format("  erased %.3f: avgGap %.4f, TA %.4f vs oracle %.4f, MIA %.3f vs %.3f, "
                            + "earliest %d: MIA %.3f vs %.3f (original %.3f); %d gate failures; retrain %.1f s",
                    c.erasedFraction(), c.avgGap(), m.testAcc(), o.testAcc(), m.miaAuc(), o.miaAuc(), earliest.size(),
                    em, eo, eg, failures, s.seconds()));
            return c;
        }
    }

    private ModelMetrics measure(Network network, SampleSet forget, SampleSet remaining, SampleSet holdout) {
        Predictions f = network.predict(forget);
        Predictions h = network.predict(holdout);
        double ra = network.predict(remaining).accuracy();
        MembershipInference.Result mia = MembershipInference.attack(f.losses(), h.losses(), SEQUENTIAL_ATTACK_FOLDS,
                config.seed());
        return new ModelMetrics(f.accuracy(), ra, h.accuracy(), mia.auc(), mia.aucLow(), mia.aucHigh());
    }

    private double attack(double[] members, double[] nonMembers) {
        return MembershipInference.attack(members, nonMembers, SEQUENTIAL_ATTACK_FOLDS, config.seed()).auc();
    }

    private static List<Sample> draw(List<Sample> from, int n, Random rng) {
        List<Sample> copy = new ArrayList<>(from);
        Collections.shuffle(copy, rng);
        return copy.subList(0, Math.min(n, copy.size()));
    }

    private static Map<String, List<Sample>> bySubject(SampleSet set) {
        Map<String, List<Sample>> out = new LinkedHashMap<>();
        for (Sample s : set.samples()) {
            out.computeIfAbsent(s.subjectId(), k -> new ArrayList<>()).add(s);
        }
        return out;
    }

    private record Data(SampleSet train, SampleSet gateHoldout, SampleSet holdout) {
    }

    /** Train, gate holdout and reported holdout: disjoint draws from one pool (ADR 0002). */
    private Data data() throws IOException {
        int n = config.trainSize() + config.gateHoldoutSize() + config.holdoutSize();
        LabelledImages pool = config.dataset().equals("fashion-mnist")
                ? FashionMnist.load(config.dataDir()).train()
                : new SyntheticData(SyntheticData.DEFAULT_TASK_SEED).sample(n, config.seed());
        if (n > pool.images().length) {
            throw new IllegalArgumentException(n + " samples needed, the pool has " + pool.images().length);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < pool.images().length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(config.seed()));
        SampleSet train = Subjects.assign(subset(pool, order, 0, config.trainSize()), "train",
                config.subjectMin(), config.subjectMax(), config.seed());
        SampleSet gate = Subjects.assign(subset(pool, order, config.trainSize(), config.gateHoldoutSize()), "gate",
                1, 1, config.seed());
        SampleSet holdout = Subjects.assign(subset(pool, order, config.trainSize() + config.gateHoldoutSize(),
                config.holdoutSize()), "holdout", 1, 1, config.seed());
        return new Data(train, gate, holdout);
    }

    private static LabelledImages subset(LabelledImages pool, List<Integer> order, int from, int count) {
        float[][] images = new float[count][];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            int idx = order.get(from + i);
            images[i] = pool.images()[idx];
            labels[i] = pool.labels()[idx];
        }
        return new LabelledImages(images, labels, pool.shape(), pool.numClasses());
    }
}
