package dev.lethe.daemon.ingest;

import dev.lethe.core.data.Reservoir;
import dev.lethe.core.data.Sample;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.requests.RetainBuffer;
import dev.lethe.core.requests.StoredSample;
import java.util.List;
import java.util.function.Predicate;

/**
 * The two in-memory sample pools an erasure needs besides its forget set: the retain buffer (a
 * reservoir of train samples) and the holdout set (a reservoir of never-trained-on samples). Both
 * refuse samples of erased subjects, and both drop a subject's samples when it is erased.
 */
public final class SamplePools {

    private final RetainBuffer retain;
    private final Reservoir<Sample> holdout;
    private final Predicate<String> erased;

    public SamplePools(int retainSize, int holdoutSize, long seed, Predicate<String> erased) {
        this.erased = erased;
        this.retain = new RetainBuffer(retainSize, seed, erased);
        this.holdout = new Reservoir<>(holdoutSize, seed + 1);
    }

    /** Routes a stored sample to the pool of its split. */
    public void offer(StoredSample sample) {
        if (SampleRecord.HOLDOUT.equals(sample.split())) {
            synchronized (holdout) {
                if (!erased.test(sample.subjectId())) {
                    holdout.offer(sample.toSample());
                }
            }
        } else {
            retain.offer(sample.toSample());
        }
    }

    /** A tombstone: drops the sample from both pools. */
    public void removeSample(String sampleId) {
        retain.removeSample(sampleId);
        synchronized (holdout) {
            holdout.remove(s -> s.sampleId().equals(sampleId));
        }
    }

    /** Drops every sample of the subject from both pools; returns how many. */
    public int removeSubject(String subjectId) {
        int removed = retain.removeSubject(subjectId);
        synchronized (holdout) {
            removed += holdout.remove(s -> s.subjectId().equals(subjectId));
        }
        return removed;
    }

    public List<Sample> retainSnapshot() {
        return retain.snapshot();
    }

    public List<Sample> holdoutSnapshot() {
        synchronized (holdout) {
            return holdout.snapshot();
        }
    }

    public int retainSize() {
        return retain.size();
    }

    public int holdoutSize() {
        synchronized (holdout) {
            return holdout.size();
        }
    }
}
