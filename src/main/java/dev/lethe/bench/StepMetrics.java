package dev.lethe.bench;

/** Metrics of one method after a given number of unlearning steps (step 0 is the original model). */
public record StepMetrics(int step, double forgetAcc, double testAcc, double miaAuc) {
}
