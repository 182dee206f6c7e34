package dev.lethe.daemon.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.events.AuditChain;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.Pseudonymizer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The read model keeps each model's state of a request apart (several models share the topics). */
class DaemonStateTest {

    private static final String REF = Pseudonymizer.fromUtf8("daemon-state-test-secret").pseudonymize("alice");
    private static final AuditEvent.Mia PASSED = new AuditEvent.Mia(0.5, 0.7, 0.6, true);

    @Test
    void anotherModelsCompletionIsShownButIsNotThisModelsState() {
        DaemonState state = new DaemonState("a");
        state.apply(AuditChain.genesis("a").append(AuditEvent.received("r-1", REF)), Instant.EPOCH);
        state.apply(AuditChain.genesis("b").append(AuditEvent.completed("r-1", REF, 3, 2, PASSED)), Instant.EPOCH);

        assertThat(state.request("r-1")).get().extracting(DaemonState.RequestStatus::status).isEqualTo("received");
        assertThat(state.requestInEveryModel("r-1")).containsOnlyKeys("a", "b");
        assertThat(state.requestInEveryModel("r-1").get("b").status()).isEqualTo("completed");
        assertThat(state.knownRequests()).isEqualTo(1);
    }

    @Test
    void eventsOfNoModelAreThisModels() {
        DaemonState state = new DaemonState("a");
        state.apply(AuditChain.genesis().append(AuditEvent.completed("r-0", REF, 3, 2, PASSED)), Instant.EPOCH);
        assertThat(state.request("r-0")).get().extracting(DaemonState.RequestStatus::status).isEqualTo("completed");
        assertThat(state.requestInEveryModel("r-0")).containsOnlyKeys("a");
    }

    @Test
    void aLateReceivedNeverUndoesATerminalState() {
        DaemonState state = new DaemonState("a");
        AuditChain chain = AuditChain.genesis("a");
        AuditEvent received = chain.append(AuditEvent.received("r-1", REF));
        state.apply(chain.append(AuditEvent.completed("r-1", REF, 3, 2, PASSED)), Instant.EPOCH);
        state.apply(received, Instant.EPOCH); // the follower may see an event again
        assertThat(state.request("r-1")).get().extracting(DaemonState.RequestStatus::status).isEqualTo("completed");
    }
}
