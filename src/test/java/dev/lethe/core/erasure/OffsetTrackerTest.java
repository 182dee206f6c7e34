package dev.lethe.core.erasure;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OffsetTrackerTest {

    @Test
    void everythingConsumedIsCommittableWhenNoRequestIsOpen() {
        OffsetTracker t = new OffsetTracker();
        t.consumed(0, 0);
        t.consumed(0, 1);
        t.consumed(1, 7);

        assertThat(t.advance()).isEqualTo(Map.of(0, 2L, 1, 8L));
    }

    @Test
    void theCommitStopsAtTheOldestOpenRequestAndMovesOnWhenItFinishes() {
        OffsetTracker t = new OffsetTracker();
        for (long o = 0; o < 5; o++) {
            t.consumed(0, o);
        }
        t.opened(0, 1);
        t.opened(0, 3);

        assertThat(t.advance()).isEqualTo(Map.of(0, 1L));
        t.finished(0, 3); // a younger request finishing first does not move the commit
        assertThat(t.advance()).isEmpty();
        t.finished(0, 1);
        assertThat(t.advance()).isEqualTo(Map.of(0, 5L));
    }

    @Test
    void theCommittedOffsetNeverMovesBackwards() {
        OffsetTracker t = new OffsetTracker();
        t.consumed(0, 9);
        assertThat(t.advance()).isEqualTo(Map.of(0, 10L));
        // A redelivered older record after a rebalance: consumed, opened, but the commit holds.
        t.consumed(0, 4);
        t.opened(0, 4);
        assertThat(t.advance()).isEmpty();
    }

    @Test
    void twoOpenRequestsAtOneOffsetBothHaveToFinish() {
        OffsetTracker t = new OffsetTracker();
        t.consumed(0, 2);
        t.opened(0, 2);
        t.opened(0, 2);

        t.finished(0, 2);
        assertThat(t.advance()).isEqualTo(Map.of(0, 2L));
        t.finished(0, 2);
        assertThat(t.advance()).isEqualTo(Map.of(0, 3L));
    }
}
