package dev.lethe.core.verify;

import java.util.SplittableRandom;

/**
 * Loss-based membership-inference attacks (MIA) used to verify unlearning: can an attacker tell
 * the per-sample losses of the forget set (members, positive class) from those of a holdout set
 * the model never saw (non-members)? AUC ≈ 0.5 means the forgotten samples look unseen; AUC above
 * 0.5 means they are still distinguishable, whether because the model still remembers them (lower
 * loss) or because unlearning overshot (higher loss, which an attacker can detect just as well).
 *
 * <p>The attack is a class-balanced {@link LogisticRegression} on one feature, the standardised
 * {@code u = (z − μ)/σ} of {@code z = log(loss + 1e-12)}, with μ, σ taken from the training folds.
 * The log spreads out the near-zero losses of memorised samples; the fitted slope lets the attack
 * learn either sign of a shift. It is evaluated honestly by stratified k-fold cross validation:
 * every sample is scored by a model that did not train on it, and the AUC is the mean of the
 * per-fold AUCs. Pooling all out-of-fold scores into one AUC was tried first: fold models differ
 * in sign and intercept when there is no signal, and pooling them biased the AUC well below 0.5
 * further below 0.5. Averaging per-fold AUCs does not remove the underlying lean either: for a
 * fixed sample, held-out folds mirror what the training folds saw, so under the null the
 * cross-validated AUC sits somewhat below 0.5 (0.41 for one draw of 100 vs 1000); read values
 * under 0.5 as "no signal". With one feature each fold's model ranks samples exactly as the loss
 * does, so with a real shift the AUC is the Mann–Whitney AUC of the losses in the direction the
 * attack learned. A second feature u² was tried and dropped: on 100-sample forget sets its extra
 * variance pushed out-of-fold AUCs well below 0.5 when there was no signal.
 */
public final class MembershipInference {

    private static final double LOG_EPSILON = 1e-12;
    private static final double Z_95 = 1.959963984540054;

    private MembershipInference() {
    }

    /**
     * Outcome of {@link #attack}.
     *
     * @param auc out-of-fold ROC AUC, members as the positive class
     * @param aucLow lower end of the 95 % Hanley–McNeil interval
     * @param aucHigh upper end of the 95 % Hanley–McNeil interval
     * @param folds folds actually used; smaller than requested when a class had fewer samples
     * @param members number of member samples
     * @param nonMembers number of non-member samples
     */
    public record Result(double auc, double aucLow, double aucHigh, int folds, int members, int nonMembers) {
    }

    /**
     * Runs the cross-validated attack. Superseded by {@link #lossAttack} wherever a number is
     * reported or gated on (ADR 0012); kept to compare against.
     *
     * @param memberLosses per-sample losses of members (the forget set); finite and ≥ 0
     * @param nonMemberLosses per-sample losses of non-members (holdout); finite and ≥ 0
     * @param folds requested number of folds, ≥ 2; reduced to the smaller class size if needed
     * @param seed seed of the stratified shuffle; equal inputs and seed give equal results
     * @throws IllegalArgumentException on empty input, NaN/infinite/negative losses, folds &lt; 2,
     *     or a class with fewer than 2 samples (no fold split is possible)
     */
    public static Result attack(double[] memberLosses, double[] nonMemberLosses, int folds, long seed) {
        requireLosses(memberLosses, "memberLosses");
        requireLosses(nonMemberLosses, "nonMemberLosses");
        if (folds < 2) {
            throw new IllegalArgumentException("folds must be >= 2, got " + folds);
        }
        int nPos = memberLosses.length;
        int nNeg = nonMemberLosses.length;
        int k = Math.min(folds, Math.min(nPos, nNeg));
        if (k < 2) {
            throw new IllegalArgumentException(
                    "each class needs at least 2 samples for cross-validation, got " + nPos + " members and "
                            + nNeg + " non-members");
        }

        int n = nPos + nNeg;
        double[] z = new double[n];
        int[] y = new int[n];
        for (int i = 0; i < nPos; i++) {
            z[i] = Math.log(memberLosses[i] + LOG_EPSILON);
            y[i] = 1;
        }
        for (int i = 0; i < nNeg; i++) {
            z[nPos + i] = Math.log(nonMemberLosses[i] + LOG_EPSILON);
        }

        // Stratified assignment: shuffle each class, then deal its samples round-robin into folds.
        SplittableRandom random = new SplittableRandom(seed);
        int[] fold = new int[n];
        assignFolds(fold, 0, nPos, k, random);
        assignFolds(fold, nPos, nNeg, k, random);

        double aucSum = 0;
        for (int f = 0; f < k; f++) {
            int trainSize = 0;
            double sum = 0.0;
            for (int i = 0; i < n; i++) {
                if (fold[i] != f) {
                    trainSize++;
                    sum += z[i];
                }
            }
            double mu = sum / trainSize;
            double ss = 0.0;
            for (int i = 0; i < n; i++) {
                if (fold[i] != f) {
                    ss += (z[i] - mu) * (z[i] - mu);
                }
            }
            double sd = Math.sqrt(ss / trainSize);
            if (!(sd > 1e-12)) {
                sd = 1.0;
            }
            double[][] trainX = new double[trainSize][];
            int[] trainY = new int[trainSize];
            int t = 0;
            for (int i = 0; i < n; i++) {
                if (fold[i] != f) {
                    trainX[t] = features(z[i], mu, sd);
                    trainY[t] = y[i];
                    t++;
                }
            }
            LogisticRegression model = LogisticRegression.fit(
                    trainX, trainY, LogisticRegression.balancedWeights(trainY), LogisticRegression.DEFAULT_L2);
            java.util.List<Double> memberScores = new java.util.ArrayList<>();
            java.util.List<Double> nonMemberScores = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (fold[i] == f) {
                    double score = model.decisionFunction(features(z[i], mu, sd));
                    (i < nPos ? memberScores : nonMemberScores).add(score);
                }
            }
            aucSum += RocAuc.auc(memberScores.stream().mapToDouble(Double::doubleValue).toArray(),
                    nonMemberScores.stream().mapToDouble(Double::doubleValue).toArray());
        }

        double auc = aucSum / k;
        double[] ci = RocAuc.hanleyMcNeilInterval(auc, nPos, nNeg, Z_95);
        return new Result(auc, ci[0], ci[1], k, nPos, nNeg);
    }

    /**
     * The calibrated loss attack: "lower loss means member", scored as the rank (Mann–Whitney) AUC
     * of the per-sample losses with no fitting at all. Two disjoint draws of non-members read 0.5
     * in expectation, with the Hanley–McNeil spread around it, which the cross-validated
     * {@link #attack} does not (fold models that flip sign under the null pull it below 0.5). An
     * unlearning that overshoots (forget losses above holdout losses) reads below 0.5 here; the
     * gate looks at that side separately.
     */
    public static AttackResult lossAttack(double[] memberLosses, double[] nonMemberLosses) {
        requireLosses(memberLosses, "memberLosses");
        requireLosses(nonMemberLosses, "nonMemberLosses");
        return AttackResult.of("loss", negate(memberLosses), negate(nonMemberLosses));
    }

    /**
     * Un-cross-validated attack score: AUC of "lower loss means member", i.e.
     * {@code auc(−memberLosses, −nonMemberLosses)}. Cheap and monotone, handy for stop rules while
     * unlearning; unlike {@link #attack} it stays below 0.5 when members have higher losses.
     */
    public static double lossAuc(double[] memberLosses, double[] nonMemberLosses) {
        return RocAuc.auc(negate(memberLosses), negate(nonMemberLosses));
    }

    private static double[] features(double z, double mu, double sd) {
        double u = (z - mu) / sd;
        return new double[] {u};
    }

    private static void assignFolds(int[] fold, int offset, int count, int k, SplittableRandom random) {
        int[] perm = new int[count];
        for (int i = 0; i < count; i++) {
            perm[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        for (int i = 0; i < count; i++) {
            fold[offset + perm[i]] = i % k;
        }
    }

    private static void requireLosses(double[] losses, String name) {
        if (losses == null || losses.length == 0) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        for (double v : losses) {
            if (!Double.isFinite(v) || v < 0.0) {
                throw new IllegalArgumentException(name + " must hold finite losses >= 0, got " + v);
            }
        }
    }

    private static double[] negate(double[] values) {
        if (values == null) {
            throw new IllegalArgumentException("losses must not be null");
        }
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = -values[i];
        }
        return out;
    }
}
