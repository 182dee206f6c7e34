package dev.lethe.daemon.ingest;

import dev.lethe.core.data.Sample;
import dev.lethe.core.requests.PersistedPools;
import dev.lethe.core.requests.StoredSample;
import dev.lethe.core.requests.SubjectIndex;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>Erasures drain the pools and only new samples refill them, so after erasures leave a pool
 * below a configured fraction ({@code lethe.ingest.top-up-below}) it is {@linkplain
 * #topUpIfDrained refilled} from the samples already indexed, by one scan on a background thread.
 */
public final class SamplePools implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SamplePools.class);

    private final PersistedPools pools;
    private final SubjectIndex index;
    private final long seed;
    private final double topUpBelow;
    private final ExecutorService topUps = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lethe-pool-top-up");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean topUpPending = new AtomicBoolean();
    private final AtomicLong topUpCount = new AtomicLong();
    private volatile java.util.function.Consumer<PersistedPools.TopUp> topUpListener = t -> { };

    /** Empty pools (nothing read from or written to an index until {@link #stage} is called); no top-ups. */
    public SamplePools(int retainSize, int holdoutSize, long seed, Predicate<String> erased) {
        this(new PersistedPools(retainSize, holdoutSize, seed, erased), null, seed, 0);
    }

    private SamplePools(PersistedPools pools, SubjectIndex index, long seed, double topUpBelow) {
        this.pools = pools;
        this.index = index;
        this.seed = seed;
        this.topUpBelow = topUpBelow;
    }

    /**
     * The pools as persisted in {@code index}; rebuilt by a full scan of the index (and written
     * back) when the index has none, e.g. one written by a Lethe from before pools were persisted.
     */
    public static SamplePools restore(SubjectIndex index, int retainSize, int holdoutSize, long seed,
            Predicate<String> erased) {
        return restore(index, retainSize, holdoutSize, seed, erased, 0);
    }

    /**
     * {@link #restore(SubjectIndex, int, int, long, Predicate)}, with pools refilled from
     * {@code index} by {@link #topUpIfDrained} once one falls below {@code topUpBelow} of its size
     * (0: never).
     */
    public static SamplePools restore(SubjectIndex index, int retainSize, int holdoutSize, long seed,
            Predicate<String> erased, double topUpBelow) {
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
        return new SamplePools(p, index, seed, topUpBelow);
    }

    /** Told about every top-up that ran (on the top-up thread), e.g. to count refilled samples. */
    public void onTopUp(java.util.function.Consumer<PersistedPools.TopUp> listener) {
        this.topUpListener = java.util.Objects.requireNonNull(listener, "listener");
    }

    /**
     * Schedules a refill of every pool below the top-up fraction, on the background thread, unless
     * one is already scheduled or none is drained. Cheap to call after every erasure.
     *
     * @return whether a top-up was scheduled
     */
    public boolean topUpIfDrained() {
        if (index == null || topUpBelow <= 0 || !pools.drained(topUpBelow) || !topUpPending.compareAndSet(false, true)) {
            return false;
        }
        try {
            topUps.execute(this::topUp);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            topUpPending.set(false); // closing
            return false;
        }
    }

    private void topUp() {
        long start = System.nanoTime();
        try {
            PersistedPools.TopUp t = pools.topUp(index, topUpBelow, seed * 1_000_003L + topUpCount.incrementAndGet());
            long ms = (System.nanoTime() - start) / 1_000_000;
            topUpListener.accept(t);
            if (t.changed()) {
                LOG.infof("sample pools below %.0f %% refilled from the index in %d ms: retain +%d (now %d), holdout +%d "
                        + "(now %d)", 100 * topUpBelow, ms, t.retainAdded(), t.retainSize(), t.holdoutAdded(),
                        t.holdoutSize());
            } else {
                LOG.infof("sample pools below %.0f %%, but the index holds no other samples to refill them (retain %d, "
                        + "holdout %d; scanned in %d ms)", 100 * topUpBelow, t.retainSize(), t.holdoutSize(), ms);
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "refilling the sample pools from the index failed; they stay as they are");
        } finally {
            topUpPending.set(false);
        }
    }

    /** Waits for a running top-up (its scan reads the index, which closes after this). */
    @Override
    public void close() {
        topUps.shutdown();
        try {
            if (!topUps.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("a sample-pool top-up still runs after 1 minute; closing anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
