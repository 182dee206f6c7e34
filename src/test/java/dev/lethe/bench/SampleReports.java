package dev.lethe.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-built benchmark reports for the report writers' tests. */
final class SampleReports {

    private SampleReports() {
    }

    /** Six methods with traces (retrain without one) and a three-point retain sweep. */
    static BenchmarkReport full() {
        List<MethodResult> results = List.of(
                method("orthograd", 0.853456, 0.97, 0.8312, 0.5349, 0.0712, 0.021234, 40, 0.91234, "plateau",
                        curve(40, 2, 0.85, 0.83, 0.53)),
                method("orthograd-global", 0.88, 0.95, 0.82, 0.57, 0.09, 0.0345, 40, 1.1, "max-steps",
                        curve(40, 2, 0.88, 0.82, 0.57)),
                method("ga", 0.30, 0.55, 0.60, 0.45, 0.45, 0.2875, 20, 0.4, "forget-target",
                        curve(20, 2, 0.30, 0.60, 0.45)),
                method("neggrad-plus", 0.80, 0.93, 0.81, 0.55, 0.1, 0.0401, 30, 0.8, "forget-target",
                        curve(30, 2, 0.80, 0.81, 0.55)),
                method("finetune", 0.97, 0.99, 0.84, 0.66, 0.04, 0.0713, 40, 0.95, "max-steps",
                        curve(40, 2, 0.97, 0.84, 0.66)),
                new MethodResult("retrain", new ModelMetrics(0.84, 0.98, 0.83, 0.52, 0.46, 0.58), 0.05, 0.0,
                        0, 11.8, "oracle", Map.of(), List.of()));
        List<BenchmarkReport.SweepPoint> sweep = List.of(
                point(20, 0.01, 0.050, 0.041, 0.070),
                point(100, 0.05, 0.0212, 0.030, 0.060),
                point(400, 0.2, 0.015, 0.012, 0.050));
        return new BenchmarkReport("fashion-mnist", 1, 2000, 100, 100, 1000, 200, 27562, "mlp-784-32-32-10",
                "cpu", new ModelMetrics(1.0, 1.0, 0.84, 0.71, 0.6512345, Double.NaN), 12.34567,
                results, sweep);
    }

    /** The same setting without a retain sweep. */
    static BenchmarkReport withoutSweep() {
        BenchmarkReport r = full();
        return new BenchmarkReport(r.dataset(), r.seed(), r.trainSize(), r.forgetSize(), r.retainSize(),
                r.holdoutSize(), r.validationSize(), r.parameters(), r.architecture(), r.device(), r.original(),
                r.originalSeconds(), r.results(), List.of());
    }

    static MethodResult method(String name, double fa, double ra, double ta, double mia, double uis,
                               double gap, int steps, double seconds, String stop, List<StepMetrics> trace) {
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put("lr", 0.01);
        hp.put("batch", 32);
        hp.put("plateau", Double.NaN);
        return new MethodResult(name, new ModelMetrics(fa, ra, ta, mia, mia - 0.06, mia + 0.06), uis, gap, steps,
                seconds, stop, hp, trace);
    }

    /** A smooth trajectory from the original model (1.0, 0.84, 0.71) towards the given end values. */
    static List<StepMetrics> curve(int steps, int every, double fa, double ta, double mia) {
        List<StepMetrics> trace = new ArrayList<>();
        for (int s = 0; s <= steps; s += every) {
            double t = 1 - Math.exp(-4.0 * s / steps);
            double wiggle = 0.008 * Math.sin(s * 0.9);
            trace.add(new StepMetrics(s, 1.0 + (fa - 1.0) * t + wiggle, 0.84 + (ta - 0.84) * t + wiggle / 2,
                    0.71 + (mia - 0.71) * t + wiggle));
        }
        return trace;
    }

    private static BenchmarkReport.SweepPoint point(int retain, double fraction, double orthograd,
                                                    double neggrad, double finetune) {
        return new BenchmarkReport.SweepPoint(retain, fraction, List.of(
                method("orthograd", 0.85, 0.97, 0.83, 0.53, 0.07, orthograd, 40, 0.9, "plateau", List.of()),
                method("neggrad-plus", 0.8, 0.93, 0.81, 0.55, 0.1, neggrad, 30, 0.8, "forget-target", List.of()),
                method("finetune", 0.97, 0.99, 0.84, 0.66, 0.04, finetune, 40, 0.95, "max-steps", List.of()),
                new MethodResult("retrain", new ModelMetrics(0.84, 0.98, 0.83, 0.52, 0.46, 0.58), 0.05, 0.0,
                        0, 11.8, "oracle", Map.of(), List.of())));
    }
}
