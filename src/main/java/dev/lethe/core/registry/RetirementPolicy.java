package dev.lethe.core.registry;

import dev.lethe.core.events.ModelVersionEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * Which superseded model versions are due for deletion. A version's weights still encode every
 * subject erased after it was made, so it may not live on for good: it is retired once a newer
 * version has been current for {@code retireAfter}. Never retired: the current version, its
 * parent (the roll-back target), pinned versions, and versions already retired.
 */
public final class RetirementPolicy {

    private RetirementPolicy() {
    }

    /**
     * The versions due, oldest first.
     *
     * @param lineage     the published versions in publish order (the last is current)
     * @param now         the time to judge at
     * @param retireAfter how long a version is kept after its successor was published
     * @param pinned      versions never retired
     * @param retired     whether a version was retired already
     */
    public static List<Long> due(List<ModelVersionEvent> lineage, Instant now, Duration retireAfter, Set<Long> pinned,
            LongPredicate retired) {
        if (lineage.size() < 2) {
            return List.of();
        }
        ModelVersionEvent current = lineage.get(lineage.size() - 1);
        List<Long> due = new ArrayList<>();
        for (int i = 0; i < lineage.size() - 1; i++) {
            long version = lineage.get(i).version();
            Instant supersededAt = lineage.get(i + 1).createdAt();
            boolean kept = version == current.version()
                    || (current.parentVersion() != null && version == current.parentVersion())
                    || pinned.contains(version);
            if (!kept && !supersededAt.plus(retireAfter).isAfter(now) && !retired.test(version)) {
                due.add(version);
            }
        }
        return due;
    }
}
