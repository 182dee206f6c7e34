package dev.lethe.bench;

import dev.lethe.core.data.FashionMnist;
import dev.lethe.core.data.LabelledImages;
import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.data.Subjects;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Devices;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.Predictions;
import dev.lethe.core.model.SupervisedTraining;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.unlearn.VerifiedUnlearning;
import dev.lethe.core.verify.MembershipGate;
import dev.lethe.core.verify.MembershipInference;
import dev.lethe.core.verify.Rmia;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Measures the calibrated gate's error rates (ADR 0012): how often it passes a model that forgot
 * nothing (the original, as a no-op unlearner leaves it) and how often it refuses a model retrained
 * without the forget set, for forget sets of 1 subject, 5 subjects and about 200 samples.
 *
 * <p>One retrain per forget set is out of reach for hundreds of draws, so the forget sets are drawn
 * from a pool of whole subjects and the retrained model is trained once without the whole pool:
 * for every draw it is a model that never saw the forget set (it also misses the rest of the pool,
 * a little less data than a per-draw retrain). Everything the gate reads is per sample (losses,
 * correctness, reference probabilities), so each draw is arithmetic over precomputed arrays. The
 * reference models and the reference/verification split of the holdout are renewed every
 * {@link Settings#refreshEvery()} draws.
 */
public final class GateCalibration {

    /**
     * @param dataDir      Fashion-MNIST IDX files
     * @param trainSize    images the original model is trained on (subjects of 5–15)
     * @param poolSize     of them, the samples (whole subjects) forget sets are drawn from
     * @param holdoutSize  never-trained-on images from the training split, halved into reference and verification
     * @param retainSize   retain buffer: with the reference half, the reference models' population
     * @param draws        forget sets per case
     * @param refreshEvery draws per set of reference models
     * @param gate         the calibrated gate under test (z, accuracy tolerances, reference models)
     * @param recipe       how the original and the retrained model are trained
     * @param seed         data split, training, draws
     */
    public record Settings(Path dataDir, int trainSize, int poolSize, int holdoutSize, int retainSize, int draws,
            int refreshEvery, VerifiedUnlearning.Gate gate, TrainingRecipe recipe, long seed) {
    }

    /** One row of the table: a forget-set size and a model, with the share of each verdict. */
    public record Case(int subjects, int samples, int minSamples, int maxSamples, String model, int draws,
            double passRate, double failRate, double insufficientRate, double evidenceRate) {
    }

    public record Report(Settings settings, List<Case> cases, double trainSeconds, double referenceSeconds) {
    }

    private final Settings s;
    private final Consumer<String> progress;

    public GateCalibration(Settings settings, Consumer<String> progress) {
        this.s = settings;
        this.progress = progress;
    }

    public Report run() throws IOException {
        FashionMnist data = FashionMnist.load(s.dataDir());
        LabelledImages pool = data.train();
        SampleSet train = Subjects.assign(slice(pool, 0, s.trainSize()), "cal", 5, 15, s.seed());
        SampleSet holdout = Subjects.assign(slice(pool, s.trainSize(), s.trainSize() + s.holdoutSize()), "calh",
                5, 15, s.seed() + 1);
        // Whole subjects from the start of the (subject-ordered) training set form the forget pool.
        List<List<Integer>> subjects = new ArrayList<>();
        int poolEnd = 0;
        while (poolEnd < s.poolSize()) {
            String subject = train.get(poolEnd).subjectId();
            List<Integer> members = new ArrayList<>();
            while (poolEnd < train.size() && train.get(poolEnd).subjectId().equals(subject)) {
                members.add(poolEnd++);
            }
            subjects.add(members);
        }
        SampleSet forgetPool = train.first(poolEnd);
        SampleSet rest = train.with(train.samples().subList(poolEnd, train.size()));
        progress.accept(String.format("gate calibration: train %d, forget pool %d samples in %d subjects, holdout %d",
                train.size(), forgetPool.size(), subjects.size(), holdout.size()));

        long t0 = System.nanoTime();
        try (Network original = Network.create(Architecture.CNN, train.shape(), train.numClasses(),
                Devices.choose("auto"), s.seed());
             Network retrained = Network.create(Architecture.CNN, train.shape(), train.numClasses(),
                Devices.choose("auto"), s.seed())) {
            SupervisedTraining.train(original, train, s.recipe(), s.seed(), null);
            SupervisedTraining.train(retrained, rest, s.recipe(), s.seed(), null);
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            Predictions[] onPool = {original.predict(forgetPool), retrained.predict(forgetPool)};
            Predictions[] onHoldout = {original.predict(holdout), retrained.predict(holdout)};
            progress.accept(String.format("trained in %.0f s; holdout accuracy original %.3f, retrained %.3f",
                    trainSeconds, onHoldout[0].accuracy(), onHoldout[1].accuracy()));

            Random random = new Random(s.seed() + 2);
            List<Sample> restShuffled = new ArrayList<>(rest.samples());
            Collections.shuffle(restShuffled, random);
            SampleSet retain = rest.with(restShuffled.subList(0, Math.min(s.retainSize(), restShuffled.size())));
            int[][] sizes = {{1, 0}, {5, 0}, {0, 200}};
            int[][][] tallies = new int[sizes.length][2][4]; // pass, fail, insufficient, evidence
            int[][] subjectCounts = new int[sizes.length][s.draws()];
            int[][] sampleCounts = new int[sizes.length][s.draws()];
            double referenceSeconds = 0;
            for (int from = 0; from < s.draws(); from += s.refreshEvery()) {
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < holdout.size(); i++) {
                    order.add(i);
                }
                Collections.shuffle(order, random);
                int half = holdout.size() / 2;
                List<Sample> population = new ArrayList<>(retain.samples());
                order.subList(0, half).forEach(i -> population.add(holdout.get(i)));
                int[] verification = order.subList(half, order.size()).stream().mapToInt(Integer::intValue).toArray();
                long r0 = System.nanoTime();
                try (Rmia rmia = Rmia.train(original, retain.with(population), s.gate().references(),
                        s.seed() + from)) {
                    referenceSeconds += (System.nanoTime() - r0) / 1e9;
                    double[][] poolRefs = rmia.referenceProbabilities(forgetPool);
                    double[][] holdoutRefs = rmia.referenceProbabilities(holdout);
                    double[][] nonRefs = pick(holdoutRefs, verification);
                    for (int d = from; d < Math.min(s.draws(), from + s.refreshEvery()); d++) {
                        for (int c = 0; c < sizes.length; c++) {
                            int[] forget = draw(subjects, sizes[c], random, subjectCounts[c], d);
                            sampleCounts[c][d] = forget.length;
                            double[][] memberRefs = pick(poolRefs, forget);
                            double[][] nulls = rmia.nullAucs(memberRefs, nonRefs);
                            for (int m = 0; m < 2; m++) {
                                MembershipGate.Status status = judge(rmia, onPool, onHoldout, m, forget, verification,
                                        memberRefs, nonRefs, nulls, tallies[c][m]);
                                tallies[c][m][status.ordinal()]++;
                            }
                        }
                    }
                }
                progress.accept(String.format("draws %d–%d done", from + 1, Math.min(s.draws(), from + s.refreshEvery())));
            }
            List<Case> cases = new ArrayList<>();
            for (int c = 0; c < sizes.length; c++) {
                for (int m = 0; m < 2; m++) {
                    int[] t = tallies[c][m];
                    int[] n = sampleCounts[c];
                    cases.add(new Case((int) Math.round(Arrays.stream(subjectCounts[c]).average().orElse(0)),
                            (int) Math.round(Arrays.stream(n).average().orElse(0)), Arrays.stream(n).min().orElse(0),
                            Arrays.stream(n).max().orElse(0), m == 0 ? "original" : "retrained", s.draws(),
                            (double) t[0] / s.draws(), (double) t[1] / s.draws(), (double) t[2] / s.draws(),
                            (double) t[3] / s.draws()));
                }
            }
            return new Report(s, cases, trainSeconds, referenceSeconds);
        }
    }

    /** The gate's verdict for model m (0 original = nothing unlearned, 1 retrained) on one draw. */
    private MembershipGate.Status judge(Rmia rmia, Predictions[] onPool, Predictions[] onHoldout, int m, int[] forget,
                                        int[] verification, double[][] memberRefs, double[][] nonRefs,
                                        double[][] nulls, int[] tally) {
        double[] beforeM = pick(onPool[0].losses(), forget);
        double[] beforeN = pick(onHoldout[0].losses(), verification);
        double[] afterM = pick(onPool[m].losses(), forget);
        double[] afterN = pick(onHoldout[m].losses(), verification);
        int n = forget.length;
        int k = verification.length;
        double z = s.gate().z();
        List<MembershipGate.Check> checks = List.of(
                MembershipGate.check("loss", MembershipInference.lossAttack(beforeM, beforeN).auc(),
                        MembershipInference.lossAttack(afterM, afterN).auc(), nulls[1], n, k, z, true),
                MembershipGate.check("rmia", rmia.attack(beforeM, memberRefs, beforeN, nonRefs).auc(),
                        rmia.attack(afterM, memberRefs, afterN, nonRefs).auc(), nulls[0], n, k, z, false));
        if (checks.stream().anyMatch(MembershipGate.Check::evidence)) {
            tally[3]++;
        }
        MembershipGate.Status status = MembershipGate.decide(checks).status();
        double fa = accuracy(onPool[m].correct(), forget);
        double ha = accuracy(onHoldout[m].correct(), verification);
        double haBefore = accuracy(onHoldout[0].correct(), verification);
        if (!VerifiedUnlearning.accuracyPasses(s.gate(), fa, ha, haBefore, n)) {
            status = MembershipGate.Status.FAILED;
        }
        return status;
    }

    /** Forget-set indices into the pool: whole subjects, {@code size[0]} of them or until {@code size[1]} samples. */
    private static int[] draw(List<List<Integer>> subjects, int[] size, Random random, int[] subjectCount, int d) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < subjects.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        List<Integer> picked = new ArrayList<>();
        int taken = 0;
        for (int subject : order) {
            if ((size[0] > 0 && taken == size[0]) || (size[1] > 0 && picked.size() >= size[1])) {
                break;
            }
            picked.addAll(subjects.get(subject));
            taken++;
        }
        subjectCount[d] = taken;
        return picked.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double accuracy(boolean[] correct, int[] idx) {
        int hits = 0;
        for (int i : idx) {
            hits += correct[i] ? 1 : 0;
        }
        return (double) hits / idx.length;
    }

    private static double[] pick(double[] v, int[] idx) {
        return Arrays.stream(idx).mapToDouble(i -> v[i]).toArray();
    }

    private static double[][] pick(double[][] v, int[] idx) {
        return Arrays.stream(idx).mapToObj(i -> v[i]).toArray(double[][]::new);
    }

    private static LabelledImages slice(LabelledImages images, int from, int to) {
        return new LabelledImages(Arrays.copyOfRange(images.images(), from, to),
                Arrays.copyOfRange(images.labels(), from, to), images.shape(), images.numClasses());
    }

    /** The report as the JSON {@code lethe gate-calibration --json} writes. */
    public static Map<String, Object> toJson(Report report) {
        Map<String, Object> root = new LinkedHashMap<>();
        Settings st = report.settings();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("dataset", "fashion-mnist");
        settings.put("trainSize", st.trainSize());
        settings.put("forgetPool", st.poolSize());
        settings.put("holdoutSize", st.holdoutSize());
        settings.put("retainSize", st.retainSize());
        settings.put("referenceModels", st.gate().references().referenceModels());
        settings.put("refreshEvery", st.refreshEvery());
        settings.put("z", st.gate().z());
        settings.put("seed", st.seed());
        settings.put("trainSeconds", JsonReport.round(report.trainSeconds(), 1));
        settings.put("referenceSeconds", JsonReport.round(report.referenceSeconds(), 1));
        root.put("settings", settings);
        List<Map<String, Object>> cases = new ArrayList<>();
        for (Case c : report.cases()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("subjects", c.subjects());
            m.put("samples", c.samples());
            m.put("samplesMin", c.minSamples());
            m.put("samplesMax", c.maxSamples());
            m.put("model", c.model());
            m.put("draws", c.draws());
            m.put("passRate", JsonReport.round(c.passRate(), 4));
            m.put("failRate", JsonReport.round(c.failRate(), 4));
            m.put("insufficientEvidenceRate", JsonReport.round(c.insufficientRate(), 4));
            m.put("evidenceRate", JsonReport.round(c.evidenceRate(), 4));
            cases.add(m);
        }
        root.put("cases", cases);
        return root;
    }
}
