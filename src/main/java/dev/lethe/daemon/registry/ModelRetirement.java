package dev.lethe.daemon.registry;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.registry.RetirementPolicy;
import dev.lethe.daemon.publish.Publisher;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.KafkaException;
import org.jboss.logging.Logger;

/**
 * Deletes superseded model artifacts once {@link RetirementPolicy} says they are due, each after
 * publishing a {@code dev.lethe.model.version.retired} audit event (event first: a crash in between
 * publishes it again on the next round, so a consumer sees at least one per retired version). Runs
 * on its own timer thread, a quarter of {@code retire-after} apart (1 s to 10 min).
 */
public final class ModelRetirement implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelRetirement.class);
    private static final Duration MIN_PERIOD = Duration.ofSeconds(1);
    private static final Duration MAX_PERIOD = Duration.ofMinutes(10);

    private final ModelRegistry registry;
    private final Publisher publisher;
    private final Pseudonymizer pseudonymizer;
    private final Duration retireAfter;
    private final Set<Long> pinned;
    private final Clock clock;
    private ScheduledExecutorService timer;

    public ModelRetirement(ModelRegistry registry, Publisher publisher, Pseudonymizer pseudonymizer,
            Duration retireAfter, Set<Long> pinned, Clock clock) {
        this.registry = registry;
        this.publisher = publisher;
        this.pseudonymizer = pseudonymizer;
        this.retireAfter = retireAfter;
        this.pinned = Set.copyOf(pinned);
        this.clock = clock;
    }

    /** The audit event's request id for one version's retirement: stable, so duplicates are recognisable. */
    public static String requestId(String model, long version) {
        return "retire-" + model + "-v" + version;
    }

    public synchronized void start() {
        Duration period = retireAfter.dividedBy(4);
        period = period.compareTo(MIN_PERIOD) < 0 ? MIN_PERIOD : period.compareTo(MAX_PERIOD) > 0 ? MAX_PERIOD : period;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lethe-model-retirement");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::runOnce, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Retires every version due now; returns how many. Failures are logged and retried next round. */
    public int runOnce() {
        Instant now = clock.instant();
        List<Long> due = RetirementPolicy.due(registry.versions(), now, retireAfter, pinned, registry::isRetired);
        int retired = 0;
        for (long version : due) {
            String model = registry.model();
            AuditEvent event = AuditEvent.retired(requestId(model, version), pseudonymizer.pseudonymize("model:" + model),
                    version, "superseded for at least " + retireAfter + " (lethe.registry.retire-after)");
            try {
                publisher.publish(new Publisher.Transaction().audit(event));
                registry.retire(version, now);
                retired++;
                LOG.infof("model %s: version %d retired, its artifact deleted", model, version);
            } catch (KafkaException | IOException | IllegalArgumentException e) {
                LOG.warnf("could not retire version %d of %s, will retry: %s", version, model, e.getMessage());
                break;
            }
        }
        return retired;
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
