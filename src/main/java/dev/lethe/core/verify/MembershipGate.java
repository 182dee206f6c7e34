package dev.lethe.core.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The membership part of the verification gate, as plain arithmetic over attack AUCs (ADR 0012).
 *
 * <p>For each attack the threshold is where a model that never saw the forget set lands: the mean
 * of the attack's AUC over the reference models taken as targets, plus z times the larger of their
 * spread and the Mann–Whitney null spread {@code sqrt((n+m+1)/(12nm))} of n members against m
 * non-members (K = 8 references estimate a spread poorly; the closed form cannot be too small).
 * The current model is measured against the same threshold: an attack whose AUC on the current
 * model is at or below it cannot tell "remembered" from "never seen" on this batch, so it is no
 * evidence either way. The gate passes only when at least one attack has evidence and every attack
 * reads at or below its threshold after unlearning; when every attack passes without evidence the
 * verdict is {@link Status#INSUFFICIENT_EVIDENCE}, never a pass. The loss attack also fails below
 * {@code mean − z·spread}: forget losses above holdout losses (an overshoot) give members away too.
 */
public final class MembershipGate {

    /** What the gate concluded. */
    public enum Status {
        PASSED, FAILED, INSUFFICIENT_EVIDENCE;

        /** {@code passed}, {@code failed}, {@code insufficient-evidence}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * One attack's reading.
     *
     * @param attack    {@code loss} or {@code rmia}
     * @param before    AUC on the model before unlearning
     * @param after     AUC after
     * @param threshold the highest AUC that passes
     * @param lowest    the lowest AUC that passes (0 where only the upper side is checked)
     * @param nullMean  mean AUC of the reference models as targets
     * @param nullSd    the spread used (the larger of theirs and the Mann–Whitney null's)
     * @param evidence  whether the attack told the model before unlearning from a model that never saw the set
     * @param passed    whether {@code after} lies within [lowest, threshold]
     */
    public record Check(String attack, double before, double after, double threshold, double lowest, double nullMean,
            double nullSd, boolean evidence, boolean passed) {
    }

    private MembershipGate() {
    }

    /**
     * Reads one attack.
     *
     * @param nullAucs  the attack's AUC with each reference model as the target
     * @param twoSided  also fail below {@code mean − z·spread}
     */
    public static Check check(String attack, double before, double after, double[] nullAucs, int members,
                              int nonMembers, double z, boolean twoSided) {
        double mean = 0;
        for (double a : nullAucs) {
            mean += a;
        }
        mean /= nullAucs.length;
        double ss = 0;
        for (double a : nullAucs) {
            ss += (a - mean) * (a - mean);
        }
        double sdReferences = nullAucs.length > 1 ? Math.sqrt(ss / (nullAucs.length - 1)) : 0;
        double sd = Math.max(sdReferences, mannWhitneyNullSd(members, nonMembers));
        double threshold = mean + z * sd;
        double lowest = twoSided ? mean - z * sd : 0;
        boolean passed = after <= threshold && after >= lowest;
        return new Check(attack, before, after, threshold, lowest, mean, sd, before > threshold, passed);
    }

    /** Standard deviation of the Mann–Whitney AUC of n against m exchangeable samples. */
    public static double mannWhitneyNullSd(int n, int m) {
        return Math.sqrt((n + m + 1.0) / (12.0 * n * m));
    }

    /** The verdict over all attacks, with a reason unless it passed. */
    public static Verdict decide(List<Check> checks) {
        List<String> failures = new ArrayList<>();
        boolean evidence = false;
        for (Check c : checks) {
            evidence |= c.evidence();
            if (!c.passed()) {
                failures.add(c.after() > c.threshold()
                        ? String.format(Locale.ROOT, "%s attack AUC %.3f is above the threshold %.3f", c.attack(),
                                c.after(), c.threshold())
                        : String.format(Locale.ROOT, "%s attack AUC %.3f is below %.3f: forgotten samples stand out by"
                                + " their high loss", c.attack(), c.after(), c.lowest()));
            }
        }
        if (!failures.isEmpty()) {
            return new Verdict(Status.FAILED, String.join("; ", failures));
        }
        if (!evidence) {
            StringBuilder why = new StringBuilder("insufficient evidence: no attack told the model before unlearning from"
                    + " one that never saw these samples (");
            for (int i = 0; i < checks.size(); i++) {
                Check c = checks.get(i);
                why.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.3f ≤ %.3f", c.attack(),
                        c.before(), c.threshold()));
            }
            return new Verdict(Status.INSUFFICIENT_EVIDENCE, why.append(')').toString());
        }
        return new Verdict(Status.PASSED, null);
    }

    /** @param reason null when passed */
    public record Verdict(Status status, String reason) {
    }
}
