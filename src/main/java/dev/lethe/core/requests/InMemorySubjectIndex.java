package dev.lethe.core.requests;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A {@link SubjectIndex} on the heap, for tests and for setups small enough to re-read the
 * samples topic on every start (nothing survives the process). A group of writes is applied in
 * place with an undo log and rolled back if it throws; methods are synchronised, so readers never
 * see half a group.
 */
public final class InMemorySubjectIndex implements SubjectIndex {

    private final Map<String, StoredSample> samples = new HashMap<>();
    private final Map<String, Set<String>> members = new HashMap<>();
    private final Set<String> erased = new HashSet<>();
    private final Map<Integer, Long> offsets = new HashMap<>();
    private final Map<Pool, Set<String>> poolMembers = new java.util.EnumMap<>(Pool.class);
    private final Map<Pool, long[]> poolCounters = new java.util.EnumMap<>(Pool.class);

    public InMemorySubjectIndex() {
        for (Pool pool : Pool.values()) {
            poolMembers.put(pool, new LinkedHashSet<>());
        }
    }

    @Override
    public synchronized void apply(Consumer<Writes> writes) {
        Objects.requireNonNull(writes, "writes");
        Group group = new Group();
        try {
            writes.accept(group);
        } catch (RuntimeException | Error e) {
            group.rollBack();
            throw e;
        } finally {
            group.closed = true;
        }
    }

    @Override
    public synchronized List<StoredSample> samplesOf(String subjectId) {
        Set<String> ids = members.get(subjectId);
        if (ids == null) {
            return List.of();
        }
        List<StoredSample> result = new ArrayList<>(ids.size());
        for (String id : ids) {
            result.add(samples.get(id));
        }
        return result;
    }

    @Override
    public void forEachSample(Consumer<StoredSample> action) {
        List<StoredSample> copy;
        synchronized (this) {
            copy = List.copyOf(samples.values());
        }
        copy.forEach(action);
    }

    @Override
    public synchronized Optional<PoolState> pool(Pool pool) {
        long[] counter = poolCounters.get(Objects.requireNonNull(pool, "pool"));
        if (counter == null) {
            return Optional.empty();
        }
        List<StoredSample> members = new ArrayList<>();
        for (String id : poolMembers.get(pool)) {
            StoredSample s = samples.get(id);
            if (s != null) {
                members.add(s);
            }
        }
        return Optional.of(new PoolState((int) counter[0], counter[1], members));
    }

    @Override
    public synchronized Optional<StoredSample> get(String sampleId) {
        return Optional.ofNullable(samples.get(sampleId));
    }

    @Override
    public synchronized long size() {
        return samples.size();
    }

    @Override
    public synchronized boolean isErased(String subjectId) {
        return erased.contains(subjectId);
    }

    @Override
    public synchronized Optional<Long> committedOffset(int partition) {
        return Optional.ofNullable(offsets.get(partition));
    }

    @Override
    public void close() {
        // nothing to release
    }

    /** Applies writes directly and records how to undo each. */
    private final class Group implements Writes {

        private final Deque<Runnable> undo = new ArrayDeque<>();
        private boolean closed;

        @Override
        public boolean put(StoredSample sample) {
            checkOpen();
            Objects.requireNonNull(sample, "sample");
            if (erased.contains(sample.subjectId())) {
                return false;
            }
            StoredSample previous = samples.put(sample.sampleId(), sample);
            undo.push(() -> restore(sample.sampleId(), previous));
            if (previous != null) {
                removeMember(previous.subjectId(), previous.sampleId());
            }
            addMember(sample.subjectId(), sample.sampleId());
            return true;
        }

        @Override
        public void removeSample(String sampleId) {
            checkOpen();
            StoredSample previous = samples.remove(Objects.requireNonNull(sampleId, "sampleId"));
            if (previous != null) {
                undo.push(() -> samples.put(sampleId, previous));
                removeMember(previous.subjectId(), sampleId);
                for (Pool pool : Pool.values()) {
                    removeFromPool(pool, sampleId);
                }
            }
        }

        @Override
        public void addToPool(Pool pool, String sampleId) {
            checkOpen();
            Objects.requireNonNull(sampleId, "sampleId");
            if (poolMembers.get(pool).add(sampleId)) {
                undo.push(() -> poolMembers.get(pool).remove(sampleId));
            }
        }

        @Override
        public void removeFromPool(Pool pool, String sampleId) {
            checkOpen();
            if (poolMembers.get(pool).remove(sampleId)) {
                undo.push(() -> poolMembers.get(pool).add(sampleId));
            }
        }

        @Override
        public void clearPool(Pool pool) {
            checkOpen();
            List.copyOf(poolMembers.get(pool)).forEach(id -> removeFromPool(pool, id));
            long[] previous = poolCounters.remove(pool);
            if (previous != null) {
                undo.push(() -> poolCounters.put(pool, previous));
            }
        }

        @Override
        public void poolCounter(Pool pool, int capacity, long seen) {
            checkOpen();
            if (capacity < 0 || seen < 0) {
                throw new IllegalArgumentException("capacity and seen must be >= 0, were " + capacity + ", " + seen);
            }
            long[] previous = poolCounters.put(pool, new long[] {capacity, seen});
            undo.push(() -> {
                if (previous == null) {
                    poolCounters.remove(pool);
                } else {
                    poolCounters.put(pool, previous);
                }
            });
        }

        @Override
        public int removeSubject(String subjectId) {
            checkOpen();
            Set<String> ids = members.get(StoredSample.checkSubjectId(subjectId));
            if (ids == null) {
                return 0;
            }
            List<String> toRemove = List.copyOf(ids);
            toRemove.forEach(this::removeSample);
            return toRemove.size();
        }

        @Override
        public void markErased(String subjectId) {
            checkOpen();
            if (erased.add(StoredSample.checkSubjectId(subjectId))) {
                undo.push(() -> erased.remove(subjectId));
            }
        }

        @Override
        public void commitOffset(int partition, long offset) {
            checkOpen();
            checkOffset(partition, offset);
            Long previous = offsets.put(partition, offset);
            undo.push(() -> {
                if (previous == null) {
                    offsets.remove(partition);
                } else {
                    offsets.put(partition, previous);
                }
            });
        }

        private void restore(String sampleId, StoredSample previous) {
            if (previous == null) {
                samples.remove(sampleId);
            } else {
                samples.put(sampleId, previous);
            }
        }

        private void addMember(String subjectId, String sampleId) {
            if (members.computeIfAbsent(subjectId, s -> new LinkedHashSet<>()).add(sampleId)) {
                undo.push(() -> dropMember(subjectId, sampleId));
            }
        }

        private void removeMember(String subjectId, String sampleId) {
            if (dropMember(subjectId, sampleId)) {
                undo.push(() -> members.computeIfAbsent(subjectId, s -> new LinkedHashSet<>()).add(sampleId));
            }
        }

        private void rollBack() {
            while (!undo.isEmpty()) {
                undo.pop().run();
            }
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("writes used after apply() returned");
            }
        }
    }

    private boolean dropMember(String subjectId, String sampleId) {
        Set<String> ids = members.get(subjectId);
        if (ids == null || !ids.remove(sampleId)) {
            return false;
        }
        if (ids.isEmpty()) {
            members.remove(subjectId);
        }
        return true;
    }

    static void checkOffset(int partition, long offset) {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, was " + partition);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
    }
}
