package dev.lethe.bench;

import java.util.List;
import java.util.Map;

/**
 * One method's outcome in a benchmark run.
 *
 * @param uis        unlearning-impact score, (|O_t − U_t| + |O_t − U_f|) / (2·O_t)
 * @param avgGap     mean |Δ| against the retrain oracle over forgetAcc, retainAcc, testAcc, miaAuc
 * @param seconds    wall time of the unlearning itself (evaluation for the trace excluded)
 * @param hyperparameters the configuration chosen on the validation split
 * @param trace      metrics per evaluated step, for the plot
 */
public record MethodResult(String method, ModelMetrics metrics, double uis, double avgGap,
                           int steps, double seconds, String stopReason,
                           Map<String, Object> hyperparameters, List<StepMetrics> trace) {
}
