package dev.lethe.bench;

import dev.lethe.core.verify.AttackResult;

import java.util.Map;

/**
 * What the benchmark measures of one model: accuracies as fractions in [0, 1], the calibrated
 * loss attack's ROC AUC (forget vs holdout) with its 95 % interval, and every attack by name
 * ({@code loss}, {@code rmia}, {@code probe}; empty where none ran, e.g. in tests).
 */
public record ModelMetrics(double forgetAcc, double retainAcc, double testAcc,
                           double miaAuc, double miaAucLow, double miaAucHigh, Map<String, AttackResult> attacks) {

    public ModelMetrics {
        attacks = attacks == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attacks));
    }

    public ModelMetrics(double forgetAcc, double retainAcc, double testAcc, double miaAuc, double miaAucLow,
                        double miaAucHigh) {
        this(forgetAcc, retainAcc, testAcc, miaAuc, miaAucLow, miaAucHigh, Map.of());
    }
}
