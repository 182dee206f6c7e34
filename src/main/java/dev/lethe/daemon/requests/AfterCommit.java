package dev.lethe.daemon.requests;

import dev.lethe.core.erasure.BatchResult;
import dev.lethe.core.erasure.ErasureFlow;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.daemon.ingest.SamplePools;
import dev.lethe.daemon.observe.DaemonState;
import dev.lethe.daemon.observe.LetheMetrics;
import dev.lethe.daemon.registry.ModelRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Carries what {@link ErasureFlow} decided, once it is committed, to the daemon's other parts: the
 * registry makes a published version current, the pools drop erased subjects, the read model and
 * the metrics learn what happened, and the pending-request gauges. Nothing here decides anything.
 */
public final class AfterCommit {

    private static final Logger LOG = Logger.getLogger(AfterCommit.class);

    private final ModelRegistry registry;
    private final SamplePools pools;
    private final DaemonState state;
    private final LetheMetrics metrics;
    private final Clock clock;
    private volatile int pending;
    private volatile Instant oldestPending;
    /** Told of every batch once its transaction committed (the drift budget, the rebase quarantine). */
    private final List<BatchListener> batchListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Consumer<BatchResult>> notPublishedListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** What happens after a batch's transaction committed, besides making its version current. */
    @FunctionalInterface
    public interface BatchListener {
        /**
         * @param tombstoneEnds per {@code lethe.samples} partition, the offset after the batch's last
         *                      tombstone there (its transaction's records on that topic)
         */
        void committed(BatchResult result, java.util.Map<Integer, Long> tombstoneEnds);
    }

    public AfterCommit(ModelRegistry registry, SamplePools pools, DaemonState state, LetheMetrics metrics,
            Clock clock) {
        this.registry = registry;
        this.pools = pools;
        this.state = state;
        this.metrics = metrics;
        this.clock = clock;
        metrics.gauge(LetheMetrics.PENDING_REQUESTS, "Accepted requests not yet completed or escalated", null,
                () -> pending);
        metrics.gauge(LetheMetrics.OLDEST_PENDING_AGE, "Age of the oldest pending request", "seconds", () -> {
            Instant oldest = oldestPending;
            return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
        });
    }

    /** What the pending-request gauges show (written by the listener thread, read by scrapes). */
    void pending(int requests, Optional<Instant> oldest) {
        pending = requests;
        oldestPending = oldest.orElse(null);
    }

    /** The version now current, as completions of a batch with nothing to unlearn name it. */
    /** The model this daemon unlearns: named on its tombstones and dead letters. */
    String model() {
        return registry.model();
    }

    Optional<Long> currentVersion() {
        return registry.currentVersion().map(v -> v.version());
    }

    void intake(ErasureFlow.Intake intake, List<AuditEvent> published, Instant at) {
        published.forEach(e -> state.apply(e, at));
        metrics.requests("received", intake.received());
        if (intake.reacknowledged() > 0) {
            LOG.infof("%d request(s) acknowledged before a restart taken up again", intake.reacknowledged());
        }
        metrics.requests("duplicate", intake.duplicates());
        int dead = intake.deadLetters().size();
        metrics.requests("dead_lettered", dead);
        for (int i = 0; i < dead; i++) {
            metrics.deadLetter("requests");
        }
        if (dead > 0) {
            LOG.infof("%d unreadable deletion request(s) sent to the dead-letter topic", dead);
        }
    }

    void batch(ErasureFlow.Effects effects, List<AuditEvent> published, java.util.Map<Integer, Long> tombstoneEnds) {
        BatchResult result = effects.result();
        if (effects.makeCurrent()) {
            registry.commit(result.staged(), result.outcome().unlearned());
            metrics.modelVersion(result.staged().version());
            metrics.versionPublished();
            metrics.mia(result.outcome().miaAucBefore(), result.outcome().miaAuc());
            LOG.infof("published %s v%d: %d sample(s) forgotten in %d step(s) (%s), MIA AUC %.3f → %.3f, "
                    + "holdout accuracy %.3f → %.3f, took %d ms", registry.model(), result.staged().version(),
                    result.totalSamples(), result.outcome().result().steps(), result.outcome().result().stopReason(),
                    result.outcome().miaAucBefore(), result.outcome().miaAuc(), result.outcome().holdoutAccBefore(),
                    result.outcome().holdoutAcc(), result.took().toMillis());
        }
        if (result.kind() == BatchResult.Kind.FAILED) {
            LOG.warnf("forget batch of %d request(s) escalated: %s", result.batch().requests().size(), result.reason());
        } else {
            effects.leavePools().forEach(pools::removeSubject);
            pools.topUpIfDrained();
        }
        Instant now = clock.instant();
        published.forEach(e -> state.apply(e, now));
        effects.requestLatency().forEach(metrics::requestLatency);
        metrics.requests("escalated", effects.escalated());
        metrics.requests("completed", effects.completed());
        metrics.batch(result.totalSamples(), result.batch().requests().size(),
                result.outcome() == null ? null : result.took(), result.kind() != BatchResult.Kind.FAILED);
        batchListeners.forEach(l -> l.committed(result, tombstoneEnds));
    }

    /** Calls {@code listener} on the coordinator thread after each batch's transaction committed. */
    public void onBatch(BatchListener listener) {
        batchListeners.add(listener);
    }

    /** Calls {@code listener} when a batch's transaction failed for good (nothing of it published). */
    public void onNotPublished(Consumer<BatchResult> listener) {
        notPublishedListeners.add(listener);
    }

    /** The batch's transaction failed for good: its staged version is thrown away. */
    void notPublished(BatchResult result) {
        if (result.staged() != null) {
            result.outcome().unlearned().close();
            registry.discard(result.staged());
        }
        notPublishedListeners.forEach(l -> l.accept(result));
    }

    /** The registry whose versions the batches and rebases publish. */
    public ModelRegistry registry() {
        return registry;
    }

    public DaemonState state() {
        return state;
    }

    public LetheMetrics metrics() {
        return metrics;
    }

    public Clock clock() {
        return clock;
    }
}
