package dev.lethe.core.erasure;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which request offsets may be committed: per partition, everything consumed up to the oldest
 * request that is not finished yet. A crash then re-reads exactly the unfinished requests (and
 * what came after them), never skips one, and the committed position never moves backwards.
 *
 * <p>A record can carry more than one open request only in tests; the count per offset keeps
 * that honest. Not thread-safe: confine an instance to the request listener's thread.
 */
public final class OffsetTracker {

    /** Offsets of accepted but unfinished requests, with how many are open at each. */
    private final Map<Integer, TreeMap<Long, Integer>> open = new HashMap<>();
    /** Next offset to read per partition, as far as it has been consumed. */
    private final Map<Integer, Long> consumed = new HashMap<>();
    private final Map<Integer, Long> committed = new HashMap<>();

    /** The record at this offset has been read (whatever became of it). */
    public void consumed(int partition, long offset) {
        consumed.merge(partition, offset + 1, Math::max);
    }

    /** The record at this offset holds a request that is accepted and not finished. */
    public void opened(int partition, long offset) {
        open.computeIfAbsent(partition, p -> new TreeMap<>()).merge(offset, 1, Integer::sum);
    }

    /** The request at this offset is finished (published, one way or another). */
    public void finished(int partition, long offset) {
        TreeMap<Long, Integer> offsets = open.get(partition);
        if (offsets != null) {
            offsets.computeIfPresent(offset, (o, n) -> n == 1 ? null : n - 1);
        }
    }

    /**
     * The offsets to commit now, per partition: the oldest open request's offset, or everything
     * consumed when none is open; only partitions whose safe offset moved forward since the last
     * call. The caller commits them (in the same transaction as their effects).
     */
    public Map<Integer, Long> advance() {
        Map<Integer, Long> offsets = new LinkedHashMap<>();
        consumed.forEach((partition, next) -> {
            TreeMap<Long, Integer> pending = open.get(partition);
            long safe = pending == null || pending.isEmpty() ? next : pending.firstKey();
            Long last = committed.get(partition);
            if (last == null || safe > last) {
                offsets.put(partition, safe);
                committed.put(partition, safe);
            }
        });
        return offsets;
    }
}
