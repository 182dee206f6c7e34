package dev.lethe.bench;

/**
 * What the benchmark measures of one model: accuracies as fractions in [0, 1], and the
 * membership-inference ROC AUC (forget vs holdout) with its 95 % interval.
 */
public record ModelMetrics(double forgetAcc, double retainAcc, double testAcc,
                           double miaAuc, double miaAucLow, double miaAucHigh) {
}
