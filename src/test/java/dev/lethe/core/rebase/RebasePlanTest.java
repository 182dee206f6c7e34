package dev.lethe.core.rebase;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.rebase.RebasePlan.Decision;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RebasePlanTest {

    private static final Instant T = Instant.parse("2026-12-02T12:00:00Z");
    private static final Quarantine.Entry FIRST = entry("first", Map.of(0, 10L, 1, 5L), T);
    private static final Quarantine.Entry SECOND = entry("second", Map.of(0, 20L), T.plusSeconds(60));
    private static final Quarantine.Entry THIRD = entry("third", Map.of(1, 8L), T.plusSeconds(120));

    @Test
    void a_retrain_that_honours_every_erasure_is_adopted() {
        RebasePlan plan = RebasePlan.of(Map.of(0, 25L, 1, 9L), Map.of(), Map.of(), List.of(FIRST, SECOND, THIRD));

        assertThat(plan.decision()).isEqualTo(Decision.ADOPT);
        assertThat(plan.reapply()).isEmpty();
    }

    @Test
    void the_erasures_a_retrain_misses_are_reapplied_in_completion_order() {
        RebasePlan plan = RebasePlan.of(Map.of(0, 15L, 1, 6L), Map.of(0, 5L), Map.of(0, 3L),
                List.of(FIRST, SECOND, THIRD));

        assertThat(plan.decision()).isEqualTo(Decision.REAPPLY);
        assertThat(plan.reapply()).containsExactly(SECOND, THIRD);
        assertThat(plan.reason()).contains("2 erased batch(es)");
    }

    @Test
    void a_tombstone_end_equal_to_the_position_is_honoured() {
        RebasePlan plan = RebasePlan.of(Map.of(0, 10L, 1, 5L), Map.of(), Map.of(), List.of(FIRST));

        assertThat(plan.decision()).isEqualTo(Decision.ADOPT);
    }

    @Test
    void a_partition_missing_from_the_position_counts_as_zero() {
        RebasePlan plan = RebasePlan.of(Map.of(0, 100L), Map.of(), Map.of(), List.of(FIRST, THIRD));

        assertThat(plan.decision()).isEqualTo(Decision.REAPPLY);
        assertThat(plan.reapply()).containsExactly(FIRST, THIRD);
    }

    @Test
    void a_retrain_older_than_the_base_is_refused() {
        RebasePlan plan = RebasePlan.of(Map.of(0, 50L, 1, 3L), Map.of(0, 40L, 1, 4L), Map.of(), List.of());

        assertThat(plan.decision()).isEqualTo(Decision.REFUSE);
        assertThat(plan.reapply()).isEmpty();
        assertThat(plan.reason()).contains("older than the current base").contains("partition 1");
    }

    @Test
    void a_retrain_below_the_horizon_is_refused_as_stale() {
        RebasePlan plan = RebasePlan.of(Map.of(0, 50L), Map.of(), Map.of(0, 20L, 3, 1L), List.of(SECOND));

        assertThat(plan.decision()).isEqualTo(Decision.REFUSE);
        assertThat(plan.reason()).contains("stale snapshot").contains("partition 3");
    }

    @Test
    void a_retrain_exactly_at_the_horizon_and_base_is_not_refused() {
        RebasePlan plan = RebasePlan.of(Map.of(0, 20L), Map.of(0, 20L), Map.of(0, 20L), List.of(SECOND));

        assertThat(plan.decision()).isEqualTo(Decision.ADOPT);
    }

    private static Quarantine.Entry entry(String batchId, Map<Integer, Long> tombstoneEnd, Instant completedAt) {
        return new Quarantine.Entry(batchId, List.of("req-" + batchId), tombstoneEnd, completedAt, 1);
    }
}
