package dev.lethe.daemon.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LetheMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LetheMetrics metrics = new LetheMetrics(registry);

    @Test
    void aGaugeBackedByALambdaStillReadsAfterAGarbageCollection() {
        int[] pending = {7};
        metrics.gauge(LetheMetrics.PENDING_REQUESTS, "pending", null, () -> pending[0]);
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        assertThat(registry.get(LetheMetrics.PENDING_REQUESTS).gauge().value()).isEqualTo(7.0);
    }

    @Test
    void everyOutcomeSeriesExistsFromTheStartWithoutIdsAsLabels() {
        assertThat(registry.get(LetheMetrics.REQUESTS).counters()).hasSize(5);
        assertThat(registry.get(LetheMetrics.POOL_REFILLED).counters()).hasSize(2);
        assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTags())
                .allSatisfy(t -> assertThat(t.getKey()).isIn("outcome", "topic", "device", "pool")));
    }

    @Test
    void countsAndBatchesAreRecorded() {
        metrics.requests("completed", 3);
        metrics.batch(42, 3, Duration.ofSeconds(2), true);
        metrics.requestLatency(Duration.ofSeconds(5));
        metrics.poolsRefilled(8, 0);

        assertThat(registry.get(LetheMetrics.REQUESTS).tag("outcome", "completed").counter().count()).isEqualTo(3);
        assertThat(registry.get(LetheMetrics.BATCH_SAMPLES).summary().totalAmount()).isEqualTo(42);
        assertThat(registry.get(LetheMetrics.UNLEARN_DURATION).tag("outcome", "passed").timer().count()).isEqualTo(1);
        assertThat(registry.get(LetheMetrics.REQUEST_LATENCY).timer().count()).isEqualTo(1);
        assertThat(registry.get(LetheMetrics.POOL_REFILLED).tag("pool", "retain").counter().count()).isEqualTo(8);
    }
}
