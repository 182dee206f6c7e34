package dev.lethe.core.unlearn;

import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.Predictions;
import dev.lethe.core.verify.MembershipInference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * One erasure as the daemon runs it: unlearn a forget set from a copy of the current model, then
 * check that the forgotten samples now look like data the model never saw.
 *
 * <p>The holdout samples are split in two halves, once per run and by seed: the <em>reference</em>
 * half guides the unlearner (its stop rule and loss-matching target), the <em>verification</em>
 * half is what the membership attack and the accuracy check use. The gate therefore never grades
 * the unlearner on the data it was steered by.
 *
 * <p>The gate passes when the attack's AUC (forget vs verification holdout) is at or below
 * {@link Gate#miaThreshold()} and the forget accuracy is at most the holdout accuracy plus
 * {@link Gate#forgetAccuracyTolerance()} plus one binomial standard error of an accuracy measured on
 * as many samples as the forget set has (a small forget set's accuracy is coarse: 6 samples can
 * only score in steps of 1/6), and the holdout accuracy has not fallen by more than
 * {@link Gate#maxAccuracyDrop()} from the current model's: forgetting must not break the model.
 * The caller keeps the original model either way.
 */
public final class VerifiedUnlearning {

    /**
     * @param miaThreshold            highest acceptable attack AUC after unlearning
     * @param forgetAccuracyTolerance how far forget accuracy may exceed holdout accuracy
     * @param maxAccuracyDrop         how far holdout accuracy may fall below the current model's
     * @param folds                   cross-validation folds of the attack
     */
    public record Gate(double miaThreshold, double forgetAccuracyTolerance, double maxAccuracyDrop, int folds) {
        public Gate {
            if (!(maxAccuracyDrop >= 0)) {
                throw new IllegalArgumentException("maxAccuracyDrop must be >= 0, was " + maxAccuracyDrop);
            }
            if (!(miaThreshold > 0 && miaThreshold <= 1)) {
                throw new IllegalArgumentException("miaThreshold must be in (0, 1], was " + miaThreshold);
            }
            if (!(forgetAccuracyTolerance >= 0)) {
                throw new IllegalArgumentException("forgetAccuracyTolerance must be >= 0, was " + forgetAccuracyTolerance);
            }
            if (folds < 2) {
                throw new IllegalArgumentException("folds must be >= 2, was " + folds);
            }
        }
    }

    /**
     * @param unlearned    the unlearned copy (the caller owns and closes it), whether or not it passed
     * @param passed       whether the gate passed
     * @param reason       why it failed, or null
     * @param miaAucBefore attack AUC on the model before unlearning
     * @param miaAuc       attack AUC after
     * @param forgetAcc    forget accuracy after
     * @param holdoutAcc   verification-holdout accuracy after
     * @param holdoutAccBefore verification-holdout accuracy of the current model
     * @param result       what the unlearner reported (steps, stop reason, seconds)
     */
    public record Outcome(Network unlearned, boolean passed, String reason, double miaAucBefore, double miaAuc,
            double forgetAcc, double holdoutAcc, double holdoutAccBefore, UnlearningResult result) {
    }

    private final Unlearner unlearner;
    private final Gate gate;

    public VerifiedUnlearning(Unlearner unlearner, Gate gate) {
        this.unlearner = Objects.requireNonNull(unlearner, "unlearner");
        this.gate = Objects.requireNonNull(gate, "gate");
    }

    public Gate gate() {
        return gate;
    }

    /**
     * Unlearns {@code forget} from a copy of {@code current}; {@code current} is not changed.
     *
     * @param holdout never-trained-on samples, at least 4 (2 per half)
     */
    public Outcome run(Network current, SampleSet forget, SampleSet retain, SampleSet holdout, long seed) {
        Objects.requireNonNull(current, "current");
        if (holdout.size() < 4) {
            throw new IllegalArgumentException("at least 4 holdout samples are needed to verify an erasure, have "
                    + holdout.size());
        }
        SampleSet[] halves = split(holdout, seed);
        SampleSet reference = halves[0];
        SampleSet verification = halves[1];

        Predictions verificationBefore = current.predict(verification);
        double before = attackAuc(current.predict(forget).losses(), verificationBefore.losses(), seed);
        double haBefore = verificationBefore.accuracy();
        Network copy = current.copy();
        try {
            UnlearningResult result = unlearner.unlearn(copy, new UnlearningTask(forget, retain, reference, seed),
                    Unlearner.StepObserver.NONE);
            Predictions f = copy.predict(forget);
            Predictions h = copy.predict(verification);
            double after = attackAuc(f.losses(), h.losses(), seed);
            double fa = f.accuracy();
            double ha = h.accuracy();
            List<String> failures = new ArrayList<>();
            if (!(after <= gate.miaThreshold())) {
                failures.add(String.format(java.util.Locale.ROOT, "membership attack AUC %.3f is above the threshold %.3f",
                        after, gate.miaThreshold()));
            }
            double allowed = gate.forgetAccuracyTolerance() + accuracyNoise(ha, forget.size());
            if (!(fa <= ha + allowed)) {
                failures.add(String.format(java.util.Locale.ROOT,
                        "forget accuracy %.3f exceeds holdout accuracy %.3f by more than %.3f", fa, ha, allowed));
            }
            if (!(ha >= haBefore - gate.maxAccuracyDrop())) {
                failures.add(String.format(java.util.Locale.ROOT,
                        "holdout accuracy fell from %.3f to %.3f, more than %.3f", haBefore, ha, gate.maxAccuracyDrop()));
            }
            String reason = failures.isEmpty() ? null : String.join("; ", failures);
            return new Outcome(copy, failures.isEmpty(), reason, before, after, fa, ha, haBefore, result);
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
    }

    /**
     * One binomial standard error of an accuracy measured on {@code n} samples: the spread of the
     * forget accuracy a model that never saw them would show. Without it a 6-sample subject that a
     * retrained model classifies perfectly (38 % likely at 85 % accuracy) would fail every time.
     */
    static double accuracyNoise(double accuracy, int n) {
        return Math.sqrt(Math.max(accuracy * (1 - accuracy), 1e-4) / n);
    }

    /** Cross-validated attack where both classes allow it; the plain loss AUC for a single forget sample. */
    private double attackAuc(double[] memberLosses, double[] nonMemberLosses, long seed) {
        if (memberLosses.length < 2) {
            return MembershipInference.lossAuc(memberLosses, nonMemberLosses);
        }
        return MembershipInference.attack(memberLosses, nonMemberLosses, gate.folds(), seed).auc();
    }

    static SampleSet[] split(SampleSet holdout, long seed) {
        List<Sample> shuffled = new ArrayList<>(holdout.samples());
        Collections.shuffle(shuffled, new Random(seed));
        int half = shuffled.size() / 2;
        return new SampleSet[] {
            new SampleSet(shuffled.subList(0, half), holdout.shape(), holdout.numClasses()),
            new SampleSet(shuffled.subList(half, shuffled.size()), holdout.shape(), holdout.numClasses())
        };
    }
}
