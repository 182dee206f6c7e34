package dev.lethe.core.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RequestDeduplicatorTest {

    @Test
    void aRequestIdIsAcceptedOnceWhetherInFlightOrCompleted() {
        RequestDeduplicator dedupe = new RequestDeduplicator(10);

        assertThat(dedupe.firstTime("r1")).isTrue();
        assertThat(dedupe.firstTime("r1")).as("redelivered while in flight").isFalse();
        dedupe.markCompleted("r1");
        assertThat(dedupe.firstTime("r1")).as("resent after completion").isFalse();
        assertThat(dedupe.firstTime("r2")).isTrue();

        assertThat(dedupe.inFlightCount()).isEqualTo(1);
        assertThat(dedupe.completedCount()).isEqualTo(1);
    }

    @Test
    void idsReplayedFromTheAuditTopicAreRejectedWithoutHavingBeenSeen() {
        RequestDeduplicator dedupe = new RequestDeduplicator(10);

        dedupe.markCompleted("from-audit");

        assertThat(dedupe.firstTime("from-audit")).isFalse();
        assertThat(dedupe.inFlightCount()).isZero();
    }

    @Test
    void atCapacityTheLeastRecentlyUsedCompletedIdsAreForgottenButInFlightIdsAreKept() {
        RequestDeduplicator dedupe = new RequestDeduplicator(4);
        dedupe.firstTime("flying-1");
        dedupe.firstTime("flying-2");
        dedupe.markCompleted("done-1");
        dedupe.markCompleted("done-2");
        assertThat(dedupe.size()).isEqualTo(4);

        assertThat(dedupe.firstTime("done-1")).as("a duplicate hit refreshes done-1").isFalse();
        assertThat(dedupe.firstTime("flying-3")).isTrue();

        assertThat(dedupe.size()).isEqualTo(4);
        assertThat(dedupe.contains("done-2")).as("least recently used completed id").isFalse();
        assertThat(dedupe.contains("done-1")).isTrue();
        assertThat(dedupe.contains("flying-1")).isTrue();
        assertThat(dedupe.contains("flying-2")).isTrue();
    }

    @Test
    void inFlightIdsOverflowTheCapacityRatherThanBeingForgotten() {
        RequestDeduplicator dedupe = new RequestDeduplicator(2);
        dedupe.markCompleted("done");

        for (int i = 0; i < 5; i++) {
            assertThat(dedupe.firstTime("flying-" + i)).isTrue();
        }

        assertThat(dedupe.inFlightCount()).isEqualTo(5);
        assertThat(dedupe.completedCount()).isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(dedupe.firstTime("flying-" + i)).isFalse();
        }
    }

    @Test
    void anAbandonedInFlightIdIsAcceptedAgainWhenRedelivered() {
        RequestDeduplicator dedupe = new RequestDeduplicator(10);
        dedupe.firstTime("r1");
        dedupe.markCompleted("r2");

        assertThat(dedupe.abandon("r1")).isTrue();
        assertThat(dedupe.abandon("r2")).as("completed ids stay").isFalse();

        assertThat(dedupe.firstTime("r1")).isTrue();
        assertThat(dedupe.firstTime("r2")).isFalse();
    }

    @Test
    void aCapacityBelowOneIsRejected() {
        assertThatThrownBy(() -> new RequestDeduplicator(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
