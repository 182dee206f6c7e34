package dev.lethe.core.requests;

import dev.lethe.core.data.Reservoir;
import dev.lethe.core.data.Sample;
import dev.lethe.core.requests.SubjectIndex.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * How {@link PersistedPools#restore} reads the pools at start-up: from the persisted members and
 * counters when they match the configured capacities, else by a full scan of the index; members of
 * subjects erased meanwhile are dropped, and either change is written back to the index at once.
 */
final class PoolRestore {

    private PoolRestore() {
    }

    /** See {@link PersistedPools#restore}. */
    static PersistedPools.Restored restore(SubjectIndex index, int retainSize, int holdoutSize, long seed,
            Predicate<String> erased) {
        Objects.requireNonNull(index, "index");
        var retain = index.pool(Pool.RETAIN);
        var holdout = index.pool(Pool.HOLDOUT);
        String reason = null;
        if (retain.isEmpty() || holdout.isEmpty()) {
            reason = "the index has no persisted sample pools (written before pools were persisted, or new)";
        } else if (retain.get().capacity() != retainSize || holdout.get().capacity() != holdoutSize) {
            reason = "the pool sizes changed (retain " + retain.get().capacity() + " → " + retainSize + ", holdout "
                    + holdout.get().capacity() + " → " + holdoutSize + ")";
        }
        if (reason != null) {
            PersistedPools pools = PersistedPools.rebuild(index, retainSize, holdoutSize, seed, erased);
            pools.rewriteOnNextStage();
            index.apply(pools::stage);
            return new PersistedPools.Restored(pools, PersistedPools.Source.SCANNED, reason, 0);
        }
        List<Sample> retainKept = new ArrayList<>();
        List<Sample> holdoutKept = new ArrayList<>();
        List<String> retainDropped = new ArrayList<>();
        List<String> holdoutDropped = new ArrayList<>();
        split(retain.get().members(), erased, retainKept, retainDropped);
        split(holdout.get().members(), erased, holdoutKept, holdoutDropped);
        PersistedPools pools = new PersistedPools(
                Reservoir.resume(retainSize, seed, retain.get().seen(), retainKept),
                Reservoir.resume(holdoutSize, seed + 1, holdout.get().seen(), holdoutKept), erased);
        retainDropped.forEach(id -> pools.droppedAtRestore(Pool.RETAIN, id));
        holdoutDropped.forEach(id -> pools.droppedAtRestore(Pool.HOLDOUT, id));
        int dropped = retainDropped.size() + holdoutDropped.size();
        if (dropped > 0) {
            index.apply(pools::stage);
        }
        return new PersistedPools.Restored(pools, PersistedPools.Source.PERSISTED, null, dropped);
    }

    private static void split(List<StoredSample> stored, Predicate<String> erased, List<Sample> kept,
            List<String> dropped) {
        for (StoredSample s : stored) {
            if (erased.test(s.subjectId())) {
                dropped.add(s.sampleId());
            } else {
                kept.add(s.toSample());
            }
        }
    }
}
