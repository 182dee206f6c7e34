package dev.lethe.core.requests;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Which training samples each data subject owns, which subjects were erased, and how far the
 * {@code lethe.samples} topic has been read. A deletion request is turned into a forget set with
 * {@link #samplesOf(String)}; erased subjects are remembered so that samples arriving for them
 * later are refused.
 *
 * <p>Writes are atomic in groups: {@link #apply(Consumer)} runs a set of writes — typically one
 * consumer poll's samples and its consumed offsets — and makes them visible, and for the on-disk
 * index persistent, all together or not at all. Since the data and the offset move together, a
 * restart resumes from {@link #committedOffset(int)} without replaying the whole topic and without
 * losing or double-applying anything. The single-write methods are one-write groups.
 *
 * <p>Contract shared by the implementations:
 * <ul>
 *   <li>Putting a sample replaces the one with the same id, moving it to its new subject if that
 *       changed.</li>
 *   <li>A sample whose subject is marked erased is refused ({@code put} returns false).</li>
 *   <li>{@link #samplesOf(String)} returns the subject's samples in no particular order.</li>
 *   <li>Offsets are Kafka's "next offset to read" of each {@code lethe.samples} partition.</li>
 *   <li>Writes come from one thread at a time; reads may come from any thread and see only whole
 *       groups.</li>
 * </ul>
 */
public interface SubjectIndex extends AutoCloseable {

    /**
     * The two sample pools an erasure needs besides its forget set, persisted in the index so that a
     * restart reads only their members: the retain buffer (a reservoir of train samples) and the
     * holdout set (a reservoir of never-trained-on samples).
     */
    enum Pool {
        RETAIN("r"), HOLDOUT("h");

        private final String code;

        Pool(String code) {
            this.code = code;
        }

        /** Short, stable code used in storage keys. */
        public String code() {
            return code;
        }
    }

    /**
     * A pool as persisted: the reservoir's capacity and counter, and its members (samples still in
     * the index; a member whose sample is gone is left out).
     *
     * @param capacity the reservoir capacity the pool was written with
     * @param seen     how many samples were ever offered to the reservoir (Algorithm R's counter)
     * @param members  the pool's samples, in no particular order
     */
    record PoolState(int capacity, long seen, List<StoredSample> members) {

        public PoolState {
            members = List.copyOf(members);
        }
    }

    /** The writes of one atomic group, see {@link #apply(Consumer)}. Reads within see its own writes. */
    interface Writes {

        /** Stores or replaces a sample; returns false (and stores nothing) if its subject is erased. */
        boolean put(StoredSample sample);

        /** {@link #put} for each; returns how many were stored. */
        default int putAll(List<StoredSample> samples) {
            int stored = 0;
            for (StoredSample sample : samples) {
                if (put(sample)) {
                    stored++;
                }
            }
            return stored;
        }

        /** Removes a sample if present (a tombstone from the samples topic). */
        void removeSample(String sampleId);

        /** Removes every sample of the subject; returns how many. Does not mark it erased. */
        int removeSubject(String subjectId);

        /** Remembers that the subject was erased, so that its samples are refused from now on. */
        void markErased(String subjectId);

        /** Records the next offset to read from a {@code lethe.samples} partition. */
        void commitOffset(int partition, long offset);

        /**
         * Records that the sample is a member of the pool. Removing the sample ({@link #removeSample},
         * {@link #removeSubject}) also removes it from every pool, in the same group.
         */
        void addToPool(Pool pool, String sampleId);

        /** Records that the sample is no longer a member of the pool (no-op if it was not). */
        void removeFromPool(Pool pool, String sampleId);

        /** Removes every member of the pool and its counter: the pool is then "not persisted". */
        void clearPool(Pool pool);

        /**
         * Records the pool's reservoir capacity and counter; a pool with a counter is "persisted"
         * ({@link SubjectIndex#pool} is present), even when it has no members yet.
         */
        void poolCounter(Pool pool, int capacity, long seen);
    }

    /**
     * Runs {@code writes} as one atomic group: when it returns, every write is visible; when it
     * throws, none is and the exception propagates.
     */
    void apply(Consumer<Writes> writes);

    default boolean put(StoredSample sample) {
        boolean[] stored = new boolean[1];
        apply(w -> stored[0] = w.put(sample));
        return stored[0];
    }

    default int putAll(List<StoredSample> samples) {
        int[] stored = new int[1];
        apply(w -> stored[0] = w.putAll(samples));
        return stored[0];
    }

    default void removeSample(String sampleId) {
        apply(w -> w.removeSample(sampleId));
    }

    default int removeSubject(String subjectId) {
        int[] removed = new int[1];
        apply(w -> removed[0] = w.removeSubject(subjectId));
        return removed[0];
    }

    default void markErased(String subjectId) {
        apply(w -> w.markErased(subjectId));
    }

    default void commitOffset(int partition, long offset) {
        apply(w -> w.commitOffset(partition, offset));
    }

    /** The subject's samples, in no particular order; empty if it has none. */
    List<StoredSample> samplesOf(String subjectId);

    /**
     * How many samples the subject has: what batching a deletion request needs, without reading
     * the samples themselves.
     */
    default int sampleCount(String subjectId) {
        return samplesOf(subjectId).size();
    }

    Optional<StoredSample> get(String sampleId);

    /**
     * Calls {@code action} for every stored sample, in no particular order, over a consistent view
     * (writes made meanwhile may or may not be seen). It reads the whole index, so its cost grows
     * with it: start-up uses it only to rebuild the sample pools of an index that has none
     * persisted ({@link PersistedPools#restore}).
     */
    void forEachSample(java.util.function.Consumer<StoredSample> action);

    /**
     * The persisted pool: its counter and its members, read by one key scan of the pool's members
     * and one multi-get of their samples (its cost grows with the pool, not with the index). Empty
     * when the pool was never persisted, e.g. an index written before pools were persisted.
     */
    Optional<PoolState> pool(Pool pool);

    /** Number of samples stored. */
    long size();

    boolean isErased(String subjectId);

    /** The next offset to read from a {@code lethe.samples} partition; empty if never committed. */
    Optional<Long> committedOffset(int partition);

    @Override
    void close();
}
