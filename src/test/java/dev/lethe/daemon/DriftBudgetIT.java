package dev.lethe.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.lethe.daemon.InProcessDaemons.audit;
import static dev.lethe.daemon.InProcessDaemons.request;
import static dev.lethe.daemon.InProcessDaemons.send;
import static org.awaitility.Awaitility.await;

import dev.lethe.core.data.Sample;
import dev.lethe.core.events.AuditChain;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.EventTypes;
import dev.lethe.daemon.config.LetheConfig;
import dev.lethe.daemon.demo.DemoData;
import dev.lethe.daemon.observe.LetheMetrics;
import dev.lethe.daemon.requests.DriftWatch;
import dev.lethe.testing.InJvmKafka;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The drift budget against the in-JVM KRaft broker: one retrain.required per base, across restarts. */
class DriftBudgetIT {

    private static final Duration WAIT = InProcessDaemons.WAIT;

    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka("drift-budget");
    static DemoData data;
    static Path initialModel;

    @BeforeAll
    static void dataAndModel() throws Exception {
        InProcessDaemons.Prepared prepared = InProcessDaemons.prepare(KAFKA.dir(), false);
        data = prepared.data();
        initialModel = prepared.model();
    }

    private LetheConfig config(String name, String maxErasedFraction) {
        // This test is about the drift budget, not forgetting.
        Map<String, String> map = InProcessDaemons.passingGate();
        map.put("lethe.drift.max-accuracy-drop", "0");
        map.put("lethe.drift.max-erased-fraction", maxErasedFraction);
        return InProcessDaemons.config(KAFKA.bootstrapServers(), KAFKA.dir(), name, initialModel, map);
    }

    private static LetheDaemon start(LetheConfig config, SimpleMeterRegistry meters) {
        return InProcessDaemons.start(config, meters);
    }

    private static void publishSamples(LetheConfig config) {
        InProcessDaemons.publishSamples(config, data);
    }

    private static void erase(LetheConfig config, String requestId, String subject) {
        send(config, subject, request(requestId, subject));
        await().atMost(WAIT).until(() -> audit(config).stream().anyMatch(
                e -> e.requestId().equals(requestId) && e.type().equals(EventTypes.DELETION_COMPLETED)));
    }

    private static List<AuditEvent> budgetEvents(LetheConfig config) {
        return audit(config).stream().filter(e -> e.type().equals(EventTypes.RETRAIN_REQUIRED)
                && e.requestId().equals(DriftWatch.requestId(config.model().name(), 1))).toList();
    }

    private static double gauge(SimpleMeterRegistry meters, String name) {
        return meters.get(name).gauge().value();
    }

    private static double budgetCounter(SimpleMeterRegistry meters) {
        Counter c = meters.find(LetheMetrics.RETRAIN_REQUIRED).tag("reason", "budget").counter();
        return c == null ? 0 : c.count();
    }

    private static List<String> subjects() {
        return data.train().samples().stream().map(Sample::subjectId).distinct().sorted().toList();
    }

    @Test
    void pastTheErasedShareBudgetOneRetrainRequiredIsPublishedAndNeverAgainAfterARestart() {
        // ~500 indexed samples: one subject (5–15 samples) is past 1 %.
        LetheConfig config = config("drift", "0.01");
        publishSamples(config);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        LetheDaemon daemon = start(config, meters);
        try {
            assertThat(gauge(meters, LetheMetrics.DRIFT_BUDGET_EXCEEDED)).isZero();
            erase(config, "r-1", subjects().get(0));
            await().atMost(WAIT).until(() -> budgetEvents(config).size() == 1);
            erase(config, "r-2", subjects().get(1));
            assertThat(gauge(meters, LetheMetrics.DRIFT_BUDGET_EXCEEDED)).isEqualTo(1.0);
            assertThat(gauge(meters, LetheMetrics.DRIFT_ERASED_FRACTION)).isGreaterThan(0.01);
            assertThat(budgetCounter(meters)).isEqualTo(1.0);
        } finally {
            daemon.close();
        }
        SimpleMeterRegistry again = new SimpleMeterRegistry();
        LetheDaemon restarted = start(config, again);
        try {
            erase(config, "r-3", subjects().get(2));
            assertThat(gauge(again, LetheMetrics.DRIFT_BUDGET_EXCEEDED)).isEqualTo(1.0);
            assertThat(budgetCounter(again)).isZero();
        } finally {
            restarted.close();
        }
        List<AuditEvent> events = budgetEvents(config);
        assertThat(events).hasSize(1);
        AuditEvent e = events.get(0);
        assertThat(e.reason()).startsWith("budget: erased share").contains("base version 1");
        assertThat(e.samplesForgotten()).isPositive();
        assertThat(AuditChain.verify(audit(config)).ok()).isTrue();
    }

    @Test
    void aBudgetCrossedWhileItWasNotYetPublishedIsPublishedOnStart() {
        LetheConfig off = config("drift-late", "0");
        publishSamples(off);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        LetheDaemon daemon = start(off, meters);
        try {
            erase(off, "r-late-1", subjects().get(0));
            assertThat(budgetEvents(off)).isEmpty();
        } finally {
            daemon.close();
        }
        // The same lineage under a budget it already exceeds: published on start, once.
        LetheConfig on = config("drift-late", "0.01");
        SimpleMeterRegistry again = new SimpleMeterRegistry();
        LetheDaemon restarted = start(on, again);
        try {
            await().atMost(WAIT).until(() -> budgetEvents(on).size() == 1);
            assertThat(gauge(again, LetheMetrics.DRIFT_BUDGET_EXCEEDED)).isEqualTo(1.0);
            assertThat(budgetCounter(again)).isEqualTo(1.0);
        } finally {
            restarted.close();
        }
        assertThat(budgetEvents(on)).hasSize(1);
    }
}
