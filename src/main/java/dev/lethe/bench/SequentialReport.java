package dev.lethe.bench;

import java.util.List;

/**
 * What a sequential benchmark measured.
 *
 * @param batchSamples  samples erased by each batch, in order
 * @param batchSubjects subjects erased by each batch, in order
 * @param checkpoints   the comparisons with the retrain oracle, every few batches
 */
public record SequentialReport(String dataset, long seed, int trainSize, int holdoutSize, int parameters,
                               String architecture, String unlearnedTensors, double originalTestAcc,
                               double originalSeconds, List<Integer> batchSamples, List<Integer> batchSubjects,
                               List<Checkpoint> checkpoints, double seconds) {

    public SequentialReport {
        batchSamples = List.copyOf(batchSamples);
        batchSubjects = List.copyOf(batchSubjects);
        checkpoints = List.copyOf(checkpoints);
    }

    /**
     * The deployed model after {@code batches} batches against a model retrained from scratch
     * without every sample erased so far.
     *
     * @param model            the deployed model on all erased samples (FA, MIA), the rest of the train set (RA) and the holdout (TA)
     * @param oracle           the retrained model, measured the same way
     * @param original         the never-unlearned model, measured the same way (how far there was to go)
     * @param avgGap           mean |Δ| of FA, RA, TA, MIA AUC between model and oracle
     * @param taGap            model TA − oracle TA
     * @param earliestSize     the first 10 % of the erased samples, in order of erasure
     * @param earliestMia      attack AUC on those, model
     * @param earliestOracleMia attack AUC on those, oracle
     * @param earliestOriginalMia attack AUC on those, original model
     * @param earliestMiaGap   |earliestMia − earliestOracleMia|
     * @param earliestFa       forget accuracy on those, model
     * @param earliestOracleFa forget accuracy on those, oracle
     * @param gateFailures     batches so far whose unlearned model failed the gate (the daemon escalates them and keeps the model)
     * @param unlearningSeconds wall time of all batches so far (unlearning + gate)
     * @param oracleSeconds    wall time of this checkpoint's retrain
     */
    public record Checkpoint(int batches, int erasedSamples, int erasedSubjects, double erasedFraction,
                             ModelMetrics model, ModelMetrics oracle, ModelMetrics original, double avgGap,
                             double taGap, int earliestSize, double earliestMia, double earliestOracleMia,
                             double earliestOriginalMia, double earliestMiaGap, double earliestFa,
                             double earliestOracleFa, int gateFailures, double unlearningSeconds,
                             double oracleSeconds) {
    }
}
