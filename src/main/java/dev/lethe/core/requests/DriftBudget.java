package dev.lethe.core.requests;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How far the deployed model has drifted from its base (the last model trained from scratch) through
 * approximate erasures, and whether a retrain is due.
 *
 * <p>Two quantities, each with a budget: the cumulative fall of holdout accuracy — the sum over
 * published versions of (accuracy before − accuracy after) as the gate measured them on the same
 * verification samples, which is far less noisy than comparing two versions measured on different
 * halves of the holdout — and the share of the base's training samples erased since. Past either
 * budget a breach is reported once per base version; the caller publishes it and calls
 * {@link #reported()}.
 */
public final class DriftBudget {

    /**
     * @param maxAccuracyDrop   budget for the cumulative fall of holdout accuracy; ≤ 0 = no budget
     * @param maxErasedFraction budget for the share of the base's training samples erased; ≤ 0 = no budget
     */
    public record Limits(double maxAccuracyDrop, double maxErasedFraction) {
    }

    /** A budget was exceeded: what is published with {@code reason = budget}. */
    public record Breach(long baseVersion, double accuracyDrop, long erasedSamples, double erasedFraction,
            List<String> exceeded) {
        public String reason() {
            return String.format(Locale.ROOT, "budget: %s since base version %d (holdout accuracy fell %.4f, "
                    + "%.4f of the training samples erased); retrain", String.join(" and ", exceeded), baseVersion,
                    accuracyDrop, erasedFraction);
        }
    }

    private final Limits limits;
    private long baseVersion = 1;
    private long remainingSamples;
    private double accuracyDrop;
    private long erasedSamples;
    private boolean reported;

    public DriftBudget(Limits limits) {
        this.limits = limits;
    }

    /**
     * Starts counting from a base version.
     *
     * @param remainingSamples samples still known now; with the erased ones, what the base was trained on
     * @param reported         whether this base's breach was already published (e.g. found in the audit trail)
     */
    public synchronized void reset(long baseVersion, long remainingSamples, double accuracyDrop, long erasedSamples,
            boolean reported) {
        this.baseVersion = baseVersion;
        this.remainingSamples = Math.max(0, remainingSamples);
        this.accuracyDrop = Double.isFinite(accuracyDrop) ? accuracyDrop : 0;
        this.erasedSamples = erasedSamples;
        this.reported = reported;
    }

    /**
     * A version was published on top of the base.
     *
     * @param accuracyBefore holdout accuracy of the previous version, as the gate measured it
     * @param accuracyAfter  holdout accuracy of the new one, on the same samples
     * @param remainingSamples samples still known after this version's erasures (the samples arrive
     *                       after the daemon starts, so the base's size is only known as they do)
     * @return a breach, the first time a budget is exceeded for this base
     */
    public synchronized Optional<Breach> onVersion(double accuracyBefore, double accuracyAfter, int samplesForgotten,
            long remainingSamples) {
        if (Double.isFinite(accuracyBefore) && Double.isFinite(accuracyAfter)) {
            accuracyDrop += accuracyBefore - accuracyAfter;
        }
        erasedSamples += samplesForgotten;
        this.remainingSamples = Math.max(0, remainingSamples);
        return check();
    }

    /** The breach, if a budget is exceeded and it has not been reported for this base yet. */
    public synchronized Optional<Breach> check() {
        if (reported) {
            return Optional.empty();
        }
        List<String> exceeded = new ArrayList<>();
        if (limits.maxAccuracyDrop() > 0 && accuracyDrop >= limits.maxAccuracyDrop()) {
            exceeded.add(String.format(Locale.ROOT, "accuracy drop ≥ %.4f", limits.maxAccuracyDrop()));
        }
        if (limits.maxErasedFraction() > 0 && erasedFraction() >= limits.maxErasedFraction()) {
            exceeded.add(String.format(Locale.ROOT, "erased share ≥ %.4f", limits.maxErasedFraction()));
        }
        return exceeded.isEmpty() ? Optional.empty()
                : Optional.of(new Breach(baseVersion, accuracyDrop, erasedSamples, erasedFraction(), exceeded));
    }

    /** The breach of this base was published; none is reported again until {@link #reset}. */
    public synchronized void reported() {
        reported = true;
    }

    public synchronized boolean isExceeded() {
        return reported || check().isPresent();
    }

    public synchronized double accuracyDrop() {
        return accuracyDrop;
    }

    public synchronized double erasedFraction() {
        long base = remainingSamples + erasedSamples;
        return base == 0 ? 0 : (double) erasedSamples / base;
    }

    public synchronized long baseVersion() {
        return baseVersion;
    }
}
