package dev.lethe.core.rebase;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to do with a retrained model trained up to {@code samplesPosition}: adopt it as is, adopt it and
 * re-apply the quarantined erasures it does not honour, or refuse it.
 *
 * @param decision what to do
 * @param reapply  the entries to re-apply, in completion order (empty unless {@link Decision#REAPPLY})
 * @param reason   why, in words that name no id
 */
public record RebasePlan(Decision decision, List<Quarantine.Entry> reapply, String reason) {

    /** The three outcomes of a rebase. */
    public enum Decision {
        /** The retrain honours every erasure: adopt it as is. */
        ADOPT,
        /** Adopt it, then unlearn again the quarantined batches it does not honour. */
        REAPPLY,
        /** Older than the base, or misses an erasure whose samples were shredded. */
        REFUSE
    }

    public RebasePlan {
        Objects.requireNonNull(decision, "decision");
        reapply = List.copyOf(reapply);
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * Plans a rebase.
     *
     * @param samplesPosition the retrain's position on the samples topic
     * @param basePosition    the position of the current base ({@link Quarantine#basePosition})
     * @param horizon         the shredded erasures' tombstone ends ({@link Quarantine#horizon})
     * @param entries         the sealed quarantine entries, in completion order
     */
    public static RebasePlan of(Map<Integer, Long> samplesPosition, Map<Integer, Long> basePosition,
            Map<Integer, Long> horizon, List<Quarantine.Entry> entries) {
        Integer older = firstBelow(samplesPosition, basePosition);
        if (older != null) {
            return new RebasePlan(Decision.REFUSE, List.of(), "the retrain is older than the current base (partition "
                    + older + " at " + at(samplesPosition, older) + ", base at " + basePosition.get(older) + ")");
        }
        Integer stale = firstBelow(samplesPosition, horizon);
        if (stale != null) {
            return new RebasePlan(Decision.REFUSE, List.of(), "stale snapshot: the retrain misses an erasure whose"
                    + " quarantined samples were shredded (partition " + stale + " at " + at(samplesPosition, stale)
                    + ", needs at least " + horizon.get(stale) + ")");
        }
        List<Quarantine.Entry> reapply = entries.stream().filter(e -> !e.honouredBy(samplesPosition)).toList();
        if (reapply.isEmpty()) {
            return new RebasePlan(Decision.ADOPT, List.of(), "the retrain honours every erasure");
        }
        return new RebasePlan(Decision.REAPPLY, reapply, reapply.size() + " erased batch(es) completed after the"
                + " retrain's snapshot must be re-applied");
    }

    /** The first partition (in ascending order) where {@code position} is below {@code bound}, or null. */
    private static Integer firstBelow(Map<Integer, Long> position, Map<Integer, Long> bound) {
        return bound.entrySet().stream()
                .filter(b -> at(position, b.getKey()) < b.getValue())
                .map(Map.Entry::getKey)
                .sorted()
                .findFirst().orElse(null);
    }

    /** The offset of a position on a partition; a partition the position does not name counts as 0. */
    static long at(Map<Integer, Long> position, int partition) {
        return position.getOrDefault(partition, 0L);
    }
}
