package dev.lethe.core.verify;

import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.model.FrozenPrefix;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.SupervisedTraining;
import dev.lethe.core.model.TrainingRecipe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * Offline RMIA (Zarifzadeh, Liu &amp; Shokri, ICML 2024): a per-example membership attack that
 * compares the target model's probability of a sample's label with what K reference models, none
 * of which saw the sample, give it.
 *
 * <p>The reference models are heads on the frozen layers (ADR 0010): the layers in front of the
 * first tensor {@link Settings#frozenPattern()} selects are run once over the population, and K
 * fresh heads are trained on random halves of it, so K = 8 costs seconds, not K retrains. The
 * population must never include the samples being judged (the forget set and the verification
 * holdout): every reference is then OUT for all of them, the offline setting.
 *
 * <p>Score of a sample x with label y: {@code Pr(y|x,θ) / Pr(y|x)}, where
 * {@code Pr(y|x) = ½((1+a)·mean_k Pr(y|x,θ_k) + (1−a))} is the paper's offline approximation of the
 * IN/OUT average. The paper's final score, the share of population samples z whose ratio x
 * dominates, is a monotone function of this ratio for a fixed z set, so AUC and TPR at a fixed FPR
 * are the same on the ratio; it is what is computed.
 *
 * <p>The reference models are also the attack's own null: each of them, taken as the target with
 * the other K−1 as references, is a model that never saw the forget set, and its AUC says where an
 * honest "not a member" lands for this very forget set ({@link #nullAucs}).
 */
public final class Rmia implements AutoCloseable {

    /**
     * @param referenceModels K, at least 2 (the null needs one target and one reference)
     * @param recipe          how each reference head is trained
     * @param frozenPattern   regex over parameter names: the frozen layers are those in front of the
     *                        first matching tensor; with none in front, full networks are trained
     * @param offlineA        the paper's a in the offline approximation, in [0, 1]
     */
    public record Settings(int referenceModels, TrainingRecipe recipe, String frozenPattern, double offlineA) {
        public Settings {
            if (referenceModels < 2) {
                throw new IllegalArgumentException("referenceModels must be >= 2, was " + referenceModels);
            }
            Objects.requireNonNull(recipe, "recipe");
            Objects.requireNonNull(frozenPattern, "frozenPattern");
            if (!(offlineA >= 0 && offlineA <= 1)) {
                throw new IllegalArgumentException("offlineA must be in [0, 1], was " + offlineA);
            }
        }

        /** K = 8 heads trained like the benchmark's models (to a near-zero loss), a = 0.3 (not tuned). */
        public static Settings defaults() {
            return new Settings(8, TrainingRecipe.defaults(), "Linear", 0.3);
        }
    }

    private final FrozenPrefix prefix;
    private final Network evaluator;
    private final List<float[]> references;
    private final Settings settings;
    private final double trainSeconds;

    private Rmia(FrozenPrefix prefix, Network evaluator, List<float[]> references, Settings settings,
                 double trainSeconds) {
        this.prefix = prefix;
        this.evaluator = evaluator;
        this.references = references;
        this.settings = settings;
        this.trainSeconds = trainSeconds;
    }

    /**
     * Trains the K reference models on random halves of {@code population}, through the frozen
     * layers of {@code model} as they are now. {@code model} is not changed.
     */
    public static Rmia train(Network model, SampleSet population, Settings settings, long seed) {
        Objects.requireNonNull(model, "model");
        if (population.size() < 2) {
            throw new IllegalArgumentException("the reference population needs at least 2 samples, has "
                    + population.size());
        }
        long start = System.nanoTime();
        Optional<FrozenPrefix> frozen = FrozenPrefix.of(model, model.parameterSubset(settings.frozenPattern()));
        FrozenPrefix prefix = frozen.orElse(null);
        SampleSet data = prefix == null ? population : prefix.features(population);
        List<float[]> references = new ArrayList<>();
        Network evaluator = null;
        try {
            for (int k = 0; k < settings.referenceModels(); k++) {
                long s = seed * 1_000_003L + 7919L * k;
                List<Sample> shuffled = new ArrayList<>(data.samples());
                Collections.shuffle(shuffled, new Random(s));
                SampleSet half = data.with(shuffled.subList(0, Math.max(1, shuffled.size() / 2)));
                Network reference = prefix == null
                        ? Network.create(model.architecture(), model.inputShape(), model.numClasses(), model.device(), s)
                        : prefix.freshHead(s);
                try {
                    SupervisedTraining.train(reference, half, settings.recipe(), s, null);
                    references.add(reference.parameters());
                } finally {
                    if (evaluator == null) {
                        evaluator = reference;
                    } else {
                        reference.close();
                    }
                }
            }
        } catch (RuntimeException e) {
            if (evaluator != null) {
                evaluator.close();
            }
            if (prefix != null) {
                prefix.close();
            }
            throw e;
        }
        return new Rmia(prefix, evaluator, List.copyOf(references), settings,
                (System.nanoTime() - start) / 1e9);
    }

    public Settings settings() {
        return settings;
    }

    /** Seconds spent training the reference models. */
    public double trainSeconds() {
        return trainSeconds;
    }

    /**
     * Each reference model's probability of each sample's label, {@code [sample][k]}, through the
     * frozen layers of the model as they are now (compute it before the model is changed in place).
     */
    public double[][] referenceProbabilities(SampleSet samples) {
        SampleSet data = prefix == null ? samples : prefix.features(samples);
        double[][] out = new double[samples.size()][references.size()];
        for (int k = 0; k < references.size(); k++) {
            evaluator.setParameters(references.get(k));
            double[] losses = evaluator.predict(data).losses();
            for (int i = 0; i < losses.length; i++) {
                out[i][k] = Math.exp(-losses[i]);
            }
        }
        return out;
    }

    /** The attack on a target: its per-sample losses against the reference probabilities. */
    public AttackResult attack(double[] memberLosses, double[][] memberReferences, double[] nonMemberLosses,
                               double[][] nonMemberReferences) {
        return AttackResult.of("rmia", scores(memberLosses, memberReferences, -1, settings.offlineA()),
                scores(nonMemberLosses, nonMemberReferences, -1, settings.offlineA()));
    }

    /**
     * The null of both attacks for these members and non-members: reference k as the target (all
     * of them never saw either set). {@code [0]} holds the K RMIA AUCs (the other K−1 as
     * references), {@code [1]} the K loss-attack AUCs.
     */
    public double[][] nullAucs(double[][] memberReferences, double[][] nonMemberReferences) {
        int k = references.size();
        double[][] out = new double[2][k];
        for (int t = 0; t < k; t++) {
            double[] ml = column(memberReferences, t);
            double[] nl = column(nonMemberReferences, t);
            out[0][t] = RocAuc.auc(scores(ml, memberReferences, t, settings.offlineA()),
                    scores(nl, nonMemberReferences, t, settings.offlineA()));
            out[1][t] = MembershipInference.lossAttack(ml, nl).auc();
        }
        return out;
    }

    /**
     * log of the RMIA ratio per sample; {@code exclude} is a reference left out (the one playing
     * the target), or −1.
     */
    static double[] scores(double[] losses, double[][] referenceProbabilities, int exclude, double a) {
        double[] out = new double[losses.length];
        for (int i = 0; i < losses.length; i++) {
            double sum = 0;
            int n = 0;
            for (int k = 0; k < referenceProbabilities[i].length; k++) {
                if (k != exclude) {
                    sum += referenceProbabilities[i][k];
                    n++;
                }
            }
            double px = 0.5 * ((1 + a) * (sum / n) + (1 - a));
            out[i] = -losses[i] - Math.log(Math.max(px, 1e-300));
        }
        return out;
    }

    /** Reference t's losses, {@code −log p}. */
    private static double[] column(double[][] probabilities, int t) {
        double[] out = new double[probabilities.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = -Math.log(Math.max(probabilities[i][t], 1e-300));
        }
        return out;
    }

    @Override
    public void close() {
        evaluator.close();
        if (prefix != null) {
            prefix.close();
        }
    }
}
