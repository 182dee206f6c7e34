package dev.lethe.bench;

import java.util.List;

/**
 * Everything one benchmark run measured. {@code retainSweep} is empty unless a sweep over retain
 * sizes was asked for; each entry is a full comparison at one retain size.
 */
public record BenchmarkReport(String dataset, long seed, int trainSize, int forgetSize,
                              int retainSize, int holdoutSize, int validationSize,
                              long parameters, String architecture, String device,
                              ModelMetrics original, double originalSeconds,
                              List<MethodResult> results, List<SweepPoint> retainSweep,
                              long unlearnedParameters, List<String> unlearnedTensors, String subjects) {

    /** A report of random subjects. */
    public BenchmarkReport(String dataset, long seed, int trainSize, int forgetSize, int retainSize, int holdoutSize,
                           int validationSize, long parameters, String architecture, String device, ModelMetrics original,
                           double originalSeconds, List<MethodResult> results, List<SweepPoint> retainSweep,
                           long unlearnedParameters, List<String> unlearnedTensors) {
        this(dataset, seed, trainSize, forgetSize, retainSize, holdoutSize, validationSize, parameters, architecture,
                device, original, originalSeconds, results, retainSweep, unlearnedParameters, unlearnedTensors, "random");
    }

    /** A report whose step-wise methods unlearned every parameter. */
    public BenchmarkReport(String dataset, long seed, int trainSize, int forgetSize, int retainSize, int holdoutSize,
                           int validationSize, long parameters, String architecture, String device, ModelMetrics original,
                           double originalSeconds, List<MethodResult> results, List<SweepPoint> retainSweep) {
        this(dataset, seed, trainSize, forgetSize, retainSize, holdoutSize, validationSize, parameters, architecture,
                device, original, originalSeconds, results, retainSweep, parameters, List.of());
    }

    /** The comparison at one retain-buffer size. */
    public record SweepPoint(int retainSize, double retainFraction, List<MethodResult> results) {
    }
}
