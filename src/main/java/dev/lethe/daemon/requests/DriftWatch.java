package dev.lethe.daemon.requests;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.requests.DriftBudget;
import dev.lethe.daemon.observe.DaemonState;
import dev.lethe.daemon.observe.LetheMetrics;
import dev.lethe.core.erasure.BatchResult;
import dev.lethe.daemon.publish.Publisher;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.KafkaException;
import org.jboss.logging.Logger;

/**
 * Feeds the {@link DriftBudget} from every published version and, the first time a budget is
 * exceeded for a base model, publishes one {@code dev.lethe.retrain.required} audit event whose
 * reason starts with {@code budget}. It is keyed by a request id derived from the model and the base
 * version, so the audit trail read back on start tells whether it was already published: a
 * restart never publishes it twice, and a crash before it was published publishes it on start.
 *
 * <p>Runs on the coordinator thread (the publisher's only user), after a batch's transaction.
 */
public final class DriftWatch implements Consumer<BatchResult> {

    private static final Logger LOG = Logger.getLogger(DriftWatch.class);

    private final DriftBudget budget;
    private final String model;
    private final Publisher publisher;
    private final Pseudonymizer pseudonymizer;
    private final DaemonState state;
    private final LetheMetrics metrics;
    private final Clock clock;
    private final LongSupplier indexedSamples;

    /** @param indexedSamples samples in the subject index now (erased ones are no longer there) */
    public DriftWatch(DriftBudget.Limits limits, String model, Publisher publisher, Pseudonymizer pseudonymizer,
            DaemonState state, LetheMetrics metrics, Clock clock, LongSupplier indexedSamples) {
        this.indexedSamples = indexedSamples;
        this.budget = new DriftBudget(limits);
        this.model = model;
        this.publisher = publisher;
        this.pseudonymizer = pseudonymizer;
        this.state = state;
        this.metrics = metrics;
        this.clock = clock;
        metrics.gauge(LetheMetrics.DRIFT_ACCURACY_DROP, "Cumulative fall of holdout accuracy since the base model",
                null, budget::accuracyDrop);
        metrics.gauge(LetheMetrics.DRIFT_ERASED_FRACTION, "Share of the base model's samples erased since", null,
                budget::erasedFraction);
        metrics.gauge(LetheMetrics.DRIFT_BUDGET_EXCEEDED, "1 once a drift budget is exceeded: a retrain is due", null,
                () -> budget.isExceeded() ? 1 : 0);
    }

    /** The request id of a base's budget event: no subject, one per model and base. */
    public static String requestId(String model, long baseVersion) {
        return "retrain-budget-" + model + "-v" + baseVersion;
    }

    /**
     * Restores the counts from the lineage on start and publishes a breach that a crash kept from
     * being published. Version events carry no accuracy before unlearning, so the accuracy drop is
     * re-estimated as the first post-base version's holdout accuracy minus the latest's.
     */
    public void recover(List<ModelVersionEvent> lineage) {
        int baseAt = 0;
        for (int i = 0; i < lineage.size(); i++) {
            if (lineage.get(i).parentVersion() == null) {
                baseAt = i;
            }
        }
        long base = lineage.isEmpty() ? 1 : lineage.get(baseAt).version();
        List<ModelVersionEvent> since = lineage.isEmpty() ? List.of() : lineage.subList(baseAt + 1, lineage.size());
        long erased = since.stream().mapToLong(ModelVersionEvent::samplesForgotten).sum();
        double drop = since.size() < 2 ? 0
                : since.get(0).metrics().holdoutAcc() - since.get(since.size() - 1).metrics().holdoutAcc();
        boolean reported = state.request(requestId(model, base)).isPresent();
        budget.reset(base, indexedSamples.getAsLong(), drop, erased, reported);
        budget.check().ifPresent(this::publish);
    }

    @Override
    public void accept(BatchResult result) {
        if (result.kind() != BatchResult.Kind.PASSED) {
            return;
        }
        budget.onVersion(result.outcome().holdoutAccBefore(), result.outcome().holdoutAcc(), result.totalSamples(),
                indexedSamples.getAsLong()).ifPresent(this::publish);
    }

    private void publish(DriftBudget.Breach breach) {
        AuditEvent event = AuditEvent.retrainRequired(requestId(model, breach.baseVersion()),
                pseudonymizer.pseudonymize("model:" + model),
                (int) Math.min(Integer.MAX_VALUE, breach.erasedSamples()), breach.reason());
        try {
            for (AuditEvent e : publisher.publish(new Publisher.Transaction().audit(event))) {
                state.apply(e, clock.instant());
            }
        } catch (KafkaException e) {
            // Not marked reported: the next version (or the next start) tries again.
            LOG.warnf("could not publish the drift budget's retrain.required event, will retry: %s", e.getMessage());
            return;
        }
        budget.reported();
        metrics.retrainRequired("budget");
        LOG.warnf("drift budget exceeded for %s: %s", model, breach.reason());
    }
}
