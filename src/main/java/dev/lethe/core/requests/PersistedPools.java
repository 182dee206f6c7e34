package dev.lethe.core.requests;

import dev.lethe.core.data.Reservoir;
import dev.lethe.core.data.Sample;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.requests.SubjectIndex.Pool;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The retain buffer and the holdout set, two reservoirs ({@link Reservoir}, Algorithm R) of the
 * samples ingested — train samples to the retain buffer, holdout samples to the holdout set — whose
 * membership and counters are persisted in the {@link SubjectIndex}, so that a restart reads only
 * the pools' few hundred samples instead of scanning the whole index.
 *
 * <p><b>Persistence.</b> Every change (a member added or evicted, a counter moved, a sample or
 * subject dropped) is recorded here and written by {@link #stage(SubjectIndex.Writes)} into a write
 * group of the index. The ingest stages in the same group as the samples and the offsets of the
 * poll they came from, so pools, samples and offsets survive a crash together: after one, the poll
 * is re-read from the topic and offered again to the same persisted state. Removing a sample from
 * the index also removes it from the persisted pools in the same group (see {@link SubjectIndex}),
 * so an erased subject or a tombstoned sample never comes back from disk; the in-memory pools drop
 * them through {@link #removeSubject} and {@link #removeSample}.
 *
 * <p><b>The counter across restarts.</b> Each pool persists its capacity and Algorithm R's counter
 * {@code seen} (samples offered so far, kept or not). {@link #restore} resumes each reservoir from
 * its members and counter ({@link Reservoir#resume}), with a generator seeded from the configured
 * seed and the counter; a restart therefore continues the same reservoir sample as if the process
 * had never stopped, instead of restarting the count at the size of the index. Removals keep the
 * counter (the reservoir is then a smaller uniform sample of the survivors, as without restarts).
 *
 * <p><b>Fallback.</b> When the index has no persisted pools (written by a Lethe before pools were
 * persisted) or they were written with other capacities, {@link #restore} rebuilds both pools by a
 * full scan of the index, as earlier versions did at every start, and writes them, so the next
 * start is fast.
 *
 * <p>Both pools refuse samples of erased subjects ({@code erased}), and members of a subject that
 * turns out erased at restore are dropped. Thread-safe: the ingest offers and stages while the
 * pipeline takes snapshots and removes subjects.
 */
public final class PersistedPools {

    /** How {@link #restore} obtained the pools. */
    public enum Source {
        /** Read from the persisted pools: the pools' members only. */
        PERSISTED,
        /** Rebuilt by a full scan of the index (no persisted pools, or other capacities). */
        SCANNED
    }

    /**
     * What {@link #restore} did.
     *
     * @param pools   the restored pools
     * @param source  persisted or rebuilt by a scan
     * @param reason  why the pools were rebuilt (null when read from disk)
     * @param dropped members read from disk but dropped (their subject is erased)
     */
    public record Restored(PersistedPools pools, Source source, String reason, int dropped) {
    }

    private final Map<Pool, Reservoir<Sample>> reservoirs = new EnumMap<>(Pool.class);
    private final Map<Pool, Set<String>> members = new EnumMap<>(Pool.class);
    /** Unwritten membership changes per pool: sample id → member (true) or not (false); last wins. */
    private final Map<Pool, Map<String, Boolean>> changes = new EnumMap<>(Pool.class);
    private final Map<Pool, Boolean> counterChanged = new EnumMap<>(Pool.class);
    private final Predicate<String> erased;
    /** Whether the next {@link #stage} rewrites the pools whole (after a rebuild). */
    private boolean rewrite;
    private long refused;
    /**
     * While a {@link #topUp} scans outside the lock: the ids the live path offered or removed
     * meanwhile (their fate is decided there, not by the scan), and how many offers each pool
     * counted. Null when no top-up runs.
     */
    private Set<String> touchedDuringTopUp;
    private final Map<Pool, Long> offeredDuringTopUp = new EnumMap<>(Pool.class);

    /**
     * Empty pools.
     *
     * @param seed   the retain reservoir's seed; the holdout reservoir uses {@code seed + 1}
     * @param erased whether a subject id is erased (or being erased); must be thread-safe
     */
    public PersistedPools(int retainSize, int holdoutSize, long seed, Predicate<String> erased) {
        this(new Reservoir<>(retainSize, seed), new Reservoir<>(holdoutSize, seed + 1), erased);
    }

    /** Pools resumed from persisted reservoirs: see {@link PoolRestore}. */
    PersistedPools(Reservoir<Sample> retain, Reservoir<Sample> holdout, Predicate<String> erased) {
        this.erased = Objects.requireNonNull(erased, "erased");
        reservoirs.put(Pool.RETAIN, retain);
        reservoirs.put(Pool.HOLDOUT, holdout);
        for (Pool pool : Pool.values()) {
            Set<String> ids = new HashSet<>();
            reservoirs.get(pool).snapshot().forEach(s -> ids.add(s.sampleId()));
            members.put(pool, ids);
            changes.put(pool, new LinkedHashMap<>());
            counterChanged.put(pool, false);
        }
    }

    /**
     * The pools as the index holds them: read from the persisted pools (their members only), or,
     * when those are absent or were written with other capacities, rebuilt by a full scan of the
     * index; a rebuild, and members dropped because their subject is erased, are written back to
     * the index at once.
     */
    public static Restored restore(SubjectIndex index, int retainSize, int holdoutSize, long seed,
            Predicate<String> erased) {
        return PoolRestore.restore(index, retainSize, holdoutSize, seed, erased);
    }

    /**
     * The pools rebuilt by reading every sample of the index (what a start-up did before pools were
     * persisted; its cost grows with the index). Nothing is written.
     */
    public static PersistedPools rebuild(SubjectIndex index, int retainSize, int holdoutSize, long seed,
            Predicate<String> erased) {
        PersistedPools pools = new PersistedPools(retainSize, holdoutSize, seed, erased);
        index.forEachSample(pools::offer);
        return pools;
    }

    /** After a rebuild: the next {@link #stage} writes the pools whole. */
    void rewriteOnNextStage() {
        rewrite = true;
    }

    /** A member read from disk and dropped at restore: the next {@link #stage} removes it there. */
    void droppedAtRestore(Pool pool, String sampleId) {
        changes.get(pool).put(sampleId, false);
    }

    /** The pool a sample belongs to, by its split. */
    public static Pool poolOf(StoredSample sample) {
        return SampleRecord.HOLDOUT.equals(sample.split()) ? Pool.HOLDOUT : Pool.RETAIN;
    }

    /**
     * Offers a stored sample to the pool of its split. A sample already in a pool (same id) is
     * replaced in place when its split is unchanged (a newer version, not a new offer); when its
     * split changed, it leaves the old pool and is offered to the new one.
     *
     * @return whether the sample is now in a pool; false when its subject is erased or the
     *         reservoir passed it over
     */
    public synchronized boolean offer(StoredSample sample) {
        Objects.requireNonNull(sample, "sample");
        if (erased.test(sample.subjectId())) {
            refused++;
            return false;
        }
        Pool pool = poolOf(sample);
        String id = sample.sampleId();
        if (touchedDuringTopUp != null) {
            touchedDuringTopUp.add(id);
            offeredDuringTopUp.merge(pool, 1L, Long::sum);
        }
        if (members.get(pool).contains(id)) {
            reservoirs.get(pool).replace(s -> s.sampleId().equals(id), sample.toSample());
            return true;
        }
        for (Pool other : Pool.values()) {
            if (other != pool && members.get(other).contains(id)) {
                drop(other, s -> s.sampleId().equals(id));
            }
        }
        Reservoir.Offer<Sample> offer = reservoirs.get(pool).offerTracked(sample.toSample());
        counterChanged.put(pool, true);
        if (offer.evicted() != null) {
            member(pool, offer.evicted().sampleId(), false);
        }
        if (offer.kept()) {
            member(pool, id, true);
        }
        return offer.kept();
    }

    /** A tombstone: drops the sample from both pools; returns whether it was in one. */
    public synchronized boolean removeSample(String sampleId) {
        Objects.requireNonNull(sampleId, "sampleId");
        if (touchedDuringTopUp != null) {
            touchedDuringTopUp.add(sampleId);
        }
        boolean removed = false;
        for (Pool pool : Pool.values()) {
            if (members.get(pool).contains(sampleId)) {
                removed |= drop(pool, s -> s.sampleId().equals(sampleId)) > 0;
            }
        }
        return removed;
    }

    /** Drops every sample of the subject from both pools; returns how many. */
    public synchronized int removeSubject(String subjectId) {
        Objects.requireNonNull(subjectId, "subjectId");
        int removed = 0;
        for (Pool pool : Pool.values()) {
            removed += drop(pool, s -> s.subjectId().equals(subjectId));
        }
        return removed;
    }

    private int drop(Pool pool, Predicate<Sample> filter) {
        List<Sample> dropped = reservoirs.get(pool).removeAll(filter);
        dropped.forEach(s -> member(pool, s.sampleId(), false));
        return dropped.size();
    }

    private void member(Pool pool, String sampleId, boolean in) {
        if (in) {
            members.get(pool).add(sampleId);
        } else {
            members.get(pool).remove(sampleId);
        }
        changes.get(pool).put(sampleId, in);
    }

    /** What one {@link #topUp} did: samples added to each pool, and the pools' sizes after it. */
    public record TopUp(int retainAdded, int holdoutAdded, int retainSize, int holdoutSize) {
        public boolean changed() {
            return retainAdded + holdoutAdded > 0;
        }
    }

    /** Whether a pool holds fewer than {@code fraction} of its capacity. */
    public synchronized boolean drained(double fraction) {
        for (Pool pool : Pool.values()) {
            Reservoir<Sample> r = reservoirs.get(pool);
            if (r.size() < fraction * r.capacity()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Refills every pool below {@code fraction} of its capacity from the samples already in the
     * index, and writes the change to it. Erasures take samples out of the pools, and the ingest
     * refills free slots only as new samples arrive, so an erase-only stretch drains the retain
     * buffer (earlier versions refilled at every start, by the full scan persisted pools replaced).
     *
     * <p>The index is scanned once, outside the lock (the ingest and the pipeline go on): the free
     * slots of a drained pool are filled with a uniform draw from the samples of its split that are
     * not members, then, under the lock, every drawn sample whose subject was erased meanwhile, or
     * that the ingest offered or removed meanwhile, is skipped. Members plus a uniform draw from the
     * non-members is a uniform sample of the survivors, so the pool's counter becomes their number.
     * The cost is one pass over the index (≈ 6 s at 1,000,000 samples, docs/performance.md); run it
     * off the request path.
     */
    public TopUp topUp(SubjectIndex index, double fraction, long seed) {
        Objects.requireNonNull(index, "index");
        Map<Pool, Integer> free = new EnumMap<>(Pool.class);
        Set<String> membersAtStart = new HashSet<>();
        synchronized (this) {
            for (Pool pool : Pool.values()) {
                Reservoir<Sample> r = reservoirs.get(pool);
                if (r.size() < fraction * r.capacity()) {
                    free.put(pool, r.capacity() - r.size());
                }
                membersAtStart.addAll(members.get(pool));
            }
            if (free.isEmpty() || touchedDuringTopUp != null) {
                return new TopUp(0, 0, retainSize(), holdoutSize());
            }
            touchedDuringTopUp = new HashSet<>();
            offeredDuringTopUp.clear();
        }
        Map<Pool, Reservoir<StoredSample>> draws = new EnumMap<>(Pool.class);
        Map<Pool, long[]> survivors = new EnumMap<>(Pool.class);
        free.forEach((pool, n) -> {
            draws.put(pool, new Reservoir<>(n, seed + 31L * pool.ordinal()));
            survivors.put(pool, new long[1]);
        });
        try {
            index.forEachSample(sample -> {
                Pool pool = poolOf(sample);
                if (!free.containsKey(pool) || erased.test(sample.subjectId())) {
                    return;
                }
                survivors.get(pool)[0]++;
                if (!membersAtStart.contains(sample.sampleId())) {
                    draws.get(pool).offer(sample);
                }
            });
        } catch (RuntimeException e) {
            synchronized (this) {
                touchedDuringTopUp = null;
            }
            throw e;
        }
        int[] added = new int[Pool.values().length];
        synchronized (this) {
            for (Pool pool : free.keySet()) {
                Reservoir<Sample> r = reservoirs.get(pool);
                for (StoredSample s : draws.get(pool).snapshot()) {
                    String id = s.sampleId();
                    if (erased.test(s.subjectId()) || touchedDuringTopUp.contains(id)
                            || members.get(Pool.RETAIN).contains(id) || members.get(Pool.HOLDOUT).contains(id)) {
                        continue;
                    }
                    if (!r.fill(s.toSample())) {
                        break; // new samples took the free slots meanwhile
                    }
                    member(pool, id, true);
                    added[pool.ordinal()]++;
                }
                long population = survivors.get(pool)[0] + offeredDuringTopUp.getOrDefault(pool, 0L);
                r.resetSeen(Math.max(r.size(), population));
                counterChanged.put(pool, true);
            }
            touchedDuringTopUp = null;
        }
        index.apply(this::stage);
        return new TopUp(added[Pool.RETAIN.ordinal()], added[Pool.HOLDOUT.ordinal()], retainSize(), holdoutSize());
    }

    /**
     * Writes the changes since the last call into {@code writes} (the caller's write group) and
     * forgets them. If that group then fails, the process must not carry on with these pools: the
     * index no longer matches them (the ingest stops, and a restart restores from disk).
     */
    public synchronized void stage(SubjectIndex.Writes writes) {
        for (Pool pool : Pool.values()) {
            Reservoir<Sample> r = reservoirs.get(pool);
            if (rewrite) {
                writes.clearPool(pool);
                r.snapshot().forEach(s -> writes.addToPool(pool, s.sampleId()));
                writes.poolCounter(pool, r.capacity(), r.seen());
            } else {
                changes.get(pool).forEach((id, in) -> {
                    if (in) {
                        writes.addToPool(pool, id);
                    } else {
                        writes.removeFromPool(pool, id);
                    }
                });
                if (counterChanged.get(pool)) {
                    writes.poolCounter(pool, r.capacity(), r.seen());
                }
            }
            changes.get(pool).clear();
            counterChanged.put(pool, false);
        }
        rewrite = false;
    }

    public synchronized List<Sample> retainSnapshot() {
        return reservoirs.get(Pool.RETAIN).snapshot();
    }

    public synchronized List<Sample> holdoutSnapshot() {
        return reservoirs.get(Pool.HOLDOUT).snapshot();
    }

    public synchronized int retainSize() {
        return reservoirs.get(Pool.RETAIN).size();
    }

    public synchronized int holdoutSize() {
        return reservoirs.get(Pool.HOLDOUT).size();
    }

    /** Algorithm R's counter of the pool: samples offered to it so far, kept or not. */
    public synchronized long seen(Pool pool) {
        return reservoirs.get(pool).seen();
    }

    /** How many samples were refused because their subject was erased. */
    public synchronized long refusedCount() {
        return refused;
    }
}
