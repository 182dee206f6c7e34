package dev.lethe.daemon.ingest;

import dev.lethe.core.data.Sample;
import dev.lethe.core.requests.PersistedPools;
import dev.lethe.core.requests.StoredSample;
import dev.lethe.core.requests.SubjectIndex;
import java.util.List;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The two in-memory sample pools an erasure needs besides its forget set: the retain buffer (a
 * reservoir of train samples) and the holdout set (a reservoir of never-trained-on samples). Both
 * refuse samples of erased subjects, and both drop a subject's samples when it is erased.
 *
 * <p>Their membership and reservoir counters are persisted in the subject index
 * ({@link PersistedPools}): the ingest {@linkplain #stage stages} the pools' changes in the same
 * write group as the samples and offsets of each poll, and a start-up {@linkplain #restore
 * restores} them by reading the pools only, not the whole index.
 */
public final class SamplePools {

    private static final Logger LOG = Logger.getLogger(SamplePools.class);

    private final PersistedPools pools;

    /** Empty pools (nothing read from or written to an index until {@link #stage} is called). */
    public SamplePools(int retainSize, int holdoutSize, long seed, Predicate<String> erased) {
        this(new PersistedPools(retainSize, holdoutSize, seed, erased));
    }

    private SamplePools(PersistedPools pools) {
        this.pools = pools;
    }

    /**
     * The pools as persisted in {@code index}; rebuilt by a full scan of the index (and written
     * back) when the index has none, e.g. one written by a Lethe from before pools were persisted.
     */
    public static SamplePools restore(SubjectIndex index, int retainSize, int holdoutSize, long seed,
            Predicate<String> erased) {
        long start = System.nanoTime();
        PersistedPools.Restored restored = PersistedPools.restore(index, retainSize, holdoutSize, seed, erased);
        PersistedPools p = restored.pools();
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (restored.source() == PersistedPools.Source.PERSISTED) {
            LOG.infof("sample pools restored from the index in %d ms: retain %d (of %d offered), holdout %d (of %d "
                    + "offered)%s", ms, p.retainSize(), p.seen(SubjectIndex.Pool.RETAIN), p.holdoutSize(),
                    p.seen(SubjectIndex.Pool.HOLDOUT),
                    restored.dropped() == 0 ? "" : "; " + restored.dropped() + " member(s) of erased subjects dropped");
        } else if (index.size() == 0) {
            LOG.infof("sample pools initialised in the empty index (retain %d, holdout %d slots)", retainSize, holdoutSize);
        } else {
            LOG.infof("sample pools rebuilt by a full scan of %d indexed samples in %d ms, because %s (retain %d, "
                    + "holdout %d); written to the index, so the next start reads the pools only", index.size(), ms,
                    restored.reason(), p.retainSize(), p.holdoutSize());
        }
        return new SamplePools(p);
    }

    /** Routes a stored sample to the pool of its split. */
    public void offer(StoredSample sample) {
        pools.offer(sample);
    }

    /** A tombstone: drops the sample from both pools. */
    public void removeSample(String sampleId) {
        pools.removeSample(sampleId);
    }

    /** Drops every sample of the subject from both pools; returns how many. */
    public int removeSubject(String subjectId) {
        return pools.removeSubject(subjectId);
    }

    /** Writes the pools' changes since the last call into the caller's write group of the index. */
    public void stage(SubjectIndex.Writes writes) {
        pools.stage(writes);
    }

    public List<Sample> retainSnapshot() {
        return pools.retainSnapshot();
    }

    public List<Sample> holdoutSnapshot() {
        return pools.holdoutSnapshot();
    }

    public int retainSize() {
        return pools.retainSize();
    }

    public int holdoutSize() {
        return pools.holdoutSize();
    }
}
