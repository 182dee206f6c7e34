package dev.lethe.core.unlearn;

import dev.lethe.core.data.Sample;
import dev.lethe.core.events.GateRecord;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.Predictions;
import dev.lethe.core.verify.MembershipGate;
import dev.lethe.core.verify.MembershipInference;
import dev.lethe.core.verify.Rmia;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * One erasure as the daemon runs it: unlearn a forget set from a copy of the current model, then
 * check that the forgotten samples now look like data the model never saw.
 *
 * <p>The holdout samples are split in two halves, once per run and by seed: the <em>reference</em>
 * half guides the unlearner (its stop rule and loss-matching target) and, with the retain buffer,
 * is the population the RMIA reference models train on; the <em>verification</em> half is what the
 * attacks and the accuracy check use. The gate never grades on the data it was steered by.
 *
 * <p>{@link Mode#CALIBRATED} (the daemon's default, ADR 0012): two attacks, the calibrated loss
 * attack and offline {@link Rmia} with K reference heads, each judged against where the reference
 * models (which never saw the forget set) land; see {@link MembershipGate}. A batch on which no
 * attack can tell the current model from one that never saw it ends
 * {@link MembershipGate.Status#INSUFFICIENT_EVIDENCE}: not passed, escalated. {@link Mode#ABSOLUTE}
 * is the earlier rule, the loss attack's AUC at or below {@link Gate#miaThreshold()}: for tests and
 * demos that need a gate that passes, never for production.
 *
 * <p>In both modes the forget accuracy must be at most the holdout accuracy plus
 * {@link Gate#forgetAccuracyTolerance()} plus one binomial standard error of an accuracy measured on
 * as many samples as the forget set has, and the holdout accuracy must not fall by more than
 * {@link Gate#maxAccuracyDrop()} from the current model's. The caller keeps the original model either way.
 */
public final class VerifiedUnlearning {

    /** How the membership check decides. */
    public enum Mode { CALIBRATED, ABSOLUTE }

    /**
     * @param mode                    calibrated (reference models) or absolute (one fixed threshold)
     * @param miaThreshold            {@link Mode#ABSOLUTE} only: highest acceptable loss-attack AUC
     * @param forgetAccuracyTolerance how far forget accuracy may exceed holdout accuracy
     * @param maxAccuracyDrop         how far holdout accuracy may fall below the current model's
     * @param z                       {@link Mode#CALIBRATED}: thresholds sit z spreads above the references' mean
     * @param references              {@link Mode#CALIBRATED}: the RMIA reference models
     */
    public record Gate(Mode mode, double miaThreshold, double forgetAccuracyTolerance, double maxAccuracyDrop, double z,
            Rmia.Settings references) {
        public Gate {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(references, "references");
            if (!(maxAccuracyDrop >= 0)) {
                throw new IllegalArgumentException("maxAccuracyDrop must be >= 0, was " + maxAccuracyDrop);
            }
            if (!(miaThreshold > 0 && miaThreshold <= 1)) {
                throw new IllegalArgumentException("miaThreshold must be in (0, 1], was " + miaThreshold);
            }
            if (!(forgetAccuracyTolerance >= 0)) {
                throw new IllegalArgumentException("forgetAccuracyTolerance must be >= 0, was " + forgetAccuracyTolerance);
            }
            if (!(z > 0) || Double.isInfinite(z)) {
                throw new IllegalArgumentException("z must be finite and > 0, was " + z);
            }
        }

        /** The absolute gate: loss-attack AUC at or below {@code miaThreshold}. */
        public static Gate absolute(double miaThreshold, double forgetAccuracyTolerance, double maxAccuracyDrop) {
            return new Gate(Mode.ABSOLUTE, miaThreshold, forgetAccuracyTolerance, maxAccuracyDrop, 1.96,
                    Rmia.Settings.defaults());
        }

        /** The calibrated gate with K reference models as {@code references} says. */
        public static Gate calibrated(double forgetAccuracyTolerance, double maxAccuracyDrop, double z,
                                      Rmia.Settings references) {
            return new Gate(Mode.CALIBRATED, 1.0, forgetAccuracyTolerance, maxAccuracyDrop, z, references);
        }
    }

    /**
     * @param unlearned    the unlearned copy (the caller owns and closes it), whether or not it passed
     * @param passed       whether the gate passed ({@code status == PASSED})
     * @param reason       why it did not pass, or null
     * @param miaAucBefore loss-attack AUC on the model before unlearning
     * @param miaAuc       loss-attack AUC after
     * @param forgetAcc    forget accuracy after
     * @param holdoutAcc   verification-holdout accuracy after
     * @param holdoutAccBefore verification-holdout accuracy of the current model
     * @param result       what the unlearner reported (steps, stop reason, seconds)
     * @param status       passed, failed, or insufficient evidence (not passed: escalated)
     * @param checks       each attack's reading with its threshold (loss, then rmia where it ran)
     * @param method       the unlearner's name
     * @param objective    its forget objective ({@code match-log}, …), or null where it has none
     */
    public record Outcome(Network unlearned, boolean passed, String reason, double miaAucBefore, double miaAuc,
            double forgetAcc, double holdoutAcc, double holdoutAccBefore, UnlearningResult result,
            MembershipGate.Status status, List<MembershipGate.Check> checks, String method, String objective) {

        /** What the audit and version events say about this run (ADR 0012). */
        public GateRecord verification() {
            List<GateRecord.Attack> attacks = checks.stream().map(c -> new GateRecord.Attack(c.attack(), c.after(),
                    c.before(), c.threshold(), c.evidence(), c.passed())).toList();
            return new GateRecord(method, objective, !"retrain".equals(method), status.wire(), attacks);
        }
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
        Predictions forgetBefore = current.predict(forget);
        double haBefore = verificationBefore.accuracy();
        Rmia rmia = null;
        double[][] memberRefs = null;
        double[][] nonMemberRefs = null;
        double[][] nulls = null;
        if (gate.mode() == Mode.CALIBRATED) {
            rmia = Rmia.train(current, population(retain, reference, forget), gate.references(), seed);
            memberRefs = rmia.referenceProbabilities(forget);
            nonMemberRefs = rmia.referenceProbabilities(verification);
            nulls = rmia.nullAucs(memberRefs, nonMemberRefs);
        }
        Network copy = null;
        try {
            copy = current.copy();
            UnlearningResult result = unlearner.unlearn(copy, new UnlearningTask(forget, retain, reference, seed),
                    Unlearner.StepObserver.NONE);
            Predictions f = copy.predict(forget);
            Predictions h = copy.predict(verification);
            double before = MembershipInference.lossAttack(forgetBefore.losses(), verificationBefore.losses()).auc();
            double after = MembershipInference.lossAttack(f.losses(), h.losses()).auc();
            double fa = f.accuracy();
            double ha = h.accuracy();
            List<String> failures = new ArrayList<>();
            List<MembershipGate.Check> checks = new ArrayList<>();
            MembershipGate.Status status;
            if (rmia != null) {
                checks.add(MembershipGate.check("loss", before, after, nulls[1], forget.size(), verification.size(),
                        gate.z(), true));
                checks.add(MembershipGate.check("rmia",
                        rmia.attack(forgetBefore.losses(), memberRefs, verificationBefore.losses(), nonMemberRefs).auc(),
                        rmia.attack(f.losses(), memberRefs, h.losses(), nonMemberRefs).auc(), nulls[0], forget.size(),
                        verification.size(), gate.z(), false));
                MembershipGate.Verdict verdict = MembershipGate.decide(checks);
                status = verdict.status();
                if (verdict.reason() != null) {
                    failures.add(verdict.reason());
                }
            } else {
                boolean ok = after <= gate.miaThreshold();
                checks.add(new MembershipGate.Check("loss", before, after, gate.miaThreshold(), 0, Double.NaN,
                        Double.NaN, true, ok));
                status = ok ? MembershipGate.Status.PASSED : MembershipGate.Status.FAILED;
                if (!ok) {
                    failures.add(String.format(java.util.Locale.ROOT,
                            "membership attack AUC %.3f is above the threshold %.3f", after, gate.miaThreshold()));
                }
            }
            double allowed = gate.forgetAccuracyTolerance() + accuracyNoise(ha, forget.size());
            if (!(fa <= ha + allowed)) {
                failures.add(String.format(java.util.Locale.ROOT,
                        "forget accuracy %.3f exceeds holdout accuracy %.3f by more than %.3f", fa, ha, allowed));
                status = MembershipGate.Status.FAILED;
            }
            if (!(ha >= haBefore - gate.maxAccuracyDrop())) {
                failures.add(String.format(java.util.Locale.ROOT,
                        "holdout accuracy fell from %.3f to %.3f, more than %.3f", haBefore, ha, gate.maxAccuracyDrop()));
                status = MembershipGate.Status.FAILED;
            }
            String reason = failures.isEmpty() ? null : String.join("; ", failures);
            boolean passed = status == MembershipGate.Status.PASSED;
            String objective = unlearner instanceof StepwiseUnlearner sw
                    ? sw.settings().objective().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') : null;
            return new Outcome(copy, passed, reason, before, after, fa, ha, haBefore, result, status, List.copyOf(checks),
                    unlearner.name(), objective);
        } catch (RuntimeException e) {
            if (copy != null) {
                copy.close();
            }
            throw e;
        } finally {
            if (rmia != null) {
                rmia.close();
            }
        }
    }

    /** Retain buffer and reference holdout, without any forget sample: what the references train on. */
    private static SampleSet population(SampleSet retain, SampleSet reference, SampleSet forget) {
        Set<String> forgotten = new HashSet<>();
        forget.samples().forEach(s -> forgotten.add(s.sampleId()));
        List<Sample> all = new ArrayList<>();
        for (Sample s : retain.samples()) {
            if (!forgotten.contains(s.sampleId())) {
                all.add(s);
            }
        }
        all.addAll(reference.samples());
        return new SampleSet(all, reference.shape(), reference.numClasses());
    }

    /** The gate's two accuracy conditions, as {@link #run} applies them (for the gate's calibration). */
    public static boolean accuracyPasses(Gate gate, double forgetAcc, double holdoutAcc, double holdoutAccBefore,
                                         int forgetSize) {
        return forgetAcc <= holdoutAcc + gate.forgetAccuracyTolerance() + accuracyNoise(holdoutAcc, forgetSize)
                && holdoutAcc >= holdoutAccBefore - gate.maxAccuracyDrop();
    }

    /**
     * One binomial standard error of an accuracy measured on {@code n} samples: the spread of the
     * forget accuracy a model that never saw them would show. Without it a 6-sample subject that a
     * retrained model classifies perfectly (38 % likely at 85 % accuracy) would fail every time.
     */
    static double accuracyNoise(double accuracy, int n) {
        return Math.sqrt(Math.max(accuracy * (1 - accuracy), 1e-4) / n);
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
