package dev.lethe.core.verify;

import java.util.Arrays;

/**
 * What one membership attack found on one model: members (the forget set) against non-members
 * (holdout the model never saw), scored so that a higher score means "member".
 *
 * @param name          the attack ({@code loss}, {@code rmia}, {@code probe})
 * @param auc           Mann–Whitney ROC AUC, members positive; 0.5 = no information
 * @param aucLow        lower end of the 95 % Hanley–McNeil interval
 * @param aucHigh       upper end
 * @param tprAt1pctFpr  share of members flagged at the score that flags 1 % of non-members
 * @param tprAt01pctFpr the same at 0.1 % (with fewer than 1,000 non-members: at zero false positives)
 * @param members       member samples scored
 * @param nonMembers    non-member samples scored
 */
public record AttackResult(String name, double auc, double aucLow, double aucHigh, double tprAt1pctFpr,
        double tprAt01pctFpr, int members, int nonMembers) {

    private static final double Z_95 = 1.959963984540054;

    /** The result of scores already computed; higher = more member-like. */
    public static AttackResult of(String name, double[] memberScores, double[] nonMemberScores) {
        double auc = RocAuc.auc(memberScores, nonMemberScores);
        double[] ci = RocAuc.hanleyMcNeilInterval(auc, memberScores.length, nonMemberScores.length, Z_95);
        return new AttackResult(name, auc, ci[0], ci[1], tprAtFpr(memberScores, nonMemberScores, 0.01),
                tprAtFpr(memberScores, nonMemberScores, 0.001), memberScores.length, nonMemberScores.length);
    }

    /**
     * True-positive rate at a false-positive rate of at most {@code fpr}: the threshold is the
     * smallest score that flags no more than {@code floor(fpr · m)} of the m non-members, and a
     * member counts when its score is strictly above it.
     */
    public static double tprAtFpr(double[] memberScores, double[] nonMemberScores, double fpr) {
        double[] neg = nonMemberScores.clone();
        Arrays.sort(neg);
        int allowed = (int) Math.floor(fpr * neg.length);
        double threshold = neg[neg.length - 1 - Math.min(allowed, neg.length - 1)];
        int hits = 0;
        for (double s : memberScores) {
            if (s > threshold) {
                hits++;
            }
        }
        return (double) hits / memberScores.length;
    }
}
