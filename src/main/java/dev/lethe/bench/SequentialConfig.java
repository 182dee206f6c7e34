package dev.lethe.bench;

import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.unlearn.UnlearningSettings;
import dev.lethe.core.unlearn.VerifiedUnlearning;

import java.nio.file.Path;

/**
 * The setting of a sequential benchmark: a long stream of small deletion batches applied one after
 * the other to the deployed model, as the daemon applies them.
 *
 * @param trainSize        training samples of the original model
 * @param eraseFraction    keep erasing until at least this share of the training set is gone...
 * @param minBatches       ...and at least this many batches have run
 * @param subjectMin       smallest number of samples of one data subject
 * @param subjectMax       largest number of samples of one data subject
 * @param largeEvery       every n-th batch is a large one (0: none)
 * @param largeSubjects    subjects in a large batch; all others carry one subject
 * @param checkpointEvery  compare with a retrain oracle every n batches (and after the last)
 * @param retainSize       the daemon's retain buffer: drawn afresh from the not-yet-erased samples per batch
 * @param gateHoldoutSize  the daemon's holdout pool (reference half + verification half of the gate)
 * @param holdoutSize      never-seen samples for the reported TA and the attacks
 * @param unlearning       the daemon's unlearning settings (OrthoGrad, global projection)
 * @param parameterPattern the tensors unlearned (the daemon's default: the dense head)
 * @param gate             the daemon's verification gate
 */
public record SequentialConfig(String dataset, Path dataDir, int trainSize, double eraseFraction, int minBatches,
                               int subjectMin, int subjectMax, int largeEvery, int largeSubjects,
                               int checkpointEvery, int retainSize, int gateHoldoutSize, int holdoutSize,
                               Architecture architecture, String device, long seed, TrainingRecipe recipe,
                               UnlearningSettings unlearning, String parameterPattern,
                               VerifiedUnlearning.Gate gate) {

    public SequentialConfig {
        if (!dataset.equals("fashion-mnist") && !dataset.equals("synthetic")) {
            throw new IllegalArgumentException("dataset must be fashion-mnist or synthetic, was " + dataset);
        }
        if (!(eraseFraction > 0 && eraseFraction < 1)) {
            throw new IllegalArgumentException("eraseFraction must be in (0, 1), was " + eraseFraction);
        }
        if (minBatches < 1 || checkpointEvery < 1 || largeEvery < 0 || largeSubjects < 1) {
            throw new IllegalArgumentException("need minBatches, checkpointEvery, largeSubjects >= 1 and largeEvery >= 0");
        }
        if (subjectMin < 1 || subjectMax < subjectMin) {
            throw new IllegalArgumentException("subject sizes must satisfy 1 <= min <= max");
        }
        if (gateHoldoutSize < 4 || holdoutSize < 2 || retainSize < 1) {
            throw new IllegalArgumentException("need gateHoldoutSize >= 4, holdoutSize >= 2, retainSize >= 1");
        }
    }
}
