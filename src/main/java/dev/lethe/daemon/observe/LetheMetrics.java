package dev.lethe.daemon.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

/**
 * Every metric Lethe exports, in one place. Names are Micrometer's dotted form; Prometheus sees
 * them in snake case with base units and {@code _total} on counters (the comments give the
 * exported names). Labels are small closed sets — outcomes, topics, devices — never an id.
 */
public final class LetheMetrics {

    // ---- exported names (Prometheus form), shared with tests, alerts and dashboards ----------
    /** Counter, label {@code outcome}: received, duplicate, completed, escalated, dead_lettered. */
    public static final String REQUESTS = "lethe.requests";
    /** Counter, label {@code topic}: requests, samples. */
    public static final String DEAD_LETTERS = "lethe.dead.letters";
    /** Counter, label {@code outcome}: indexed, tombstone, refused, dead_lettered. */
    public static final String SAMPLES_INGESTED = "lethe.samples.ingested";
    /** Summary: samples per forget batch. */
    public static final String BATCH_SAMPLES = "lethe.batch.samples";
    /** Summary: requests per forget batch. */
    public static final String BATCH_REQUESTS = "lethe.batch.requests";
    /** Timer, label {@code outcome}: passed, failed — unlearning plus verification of one batch. */
    public static final String UNLEARN_DURATION = "lethe.unlearn.duration";
    /** Timer: from a request's arrival to the commit of its terminal audit event. */
    public static final String REQUEST_LATENCY = "lethe.request.latency";
    /** Gauge: membership-attack AUC on the forget set after the last batch. */
    public static final String MIA_AUC = "lethe.mia.auc";
    /** Gauge: the same attack before the last batch's unlearning. */
    public static final String MIA_AUC_BEFORE = "lethe.mia.auc.before";
    /** Gauge: current model version. */
    public static final String MODEL_VERSION = "lethe.model.version";
    /** Counter: model versions published by this process. */
    public static final String VERSIONS_PUBLISHED = "lethe.versions.published";
    /** Gauge: accepted requests not yet completed or escalated. */
    public static final String PENDING_REQUESTS = "lethe.pending.requests";
    /** Gauge, seconds: age of the oldest pending request (GDPR: one month). */
    public static final String OLDEST_PENDING_AGE = "lethe.oldest.pending.request.age";
    /** Gauge, seconds: the deadline the age is measured against (30 days). */
    public static final String DEADLINE = "lethe.erasure.deadline";
    /** Gauge: samples in the subject index / retain buffer / holdout set. */
    public static final String INDEX_SAMPLES = "lethe.index.samples";
    public static final String RETAIN_SAMPLES = "lethe.retain.samples";
    public static final String HOLDOUT_SAMPLES = "lethe.holdout.samples";
    /** Counter: artifacts refused because their sha256 did not match. */
    public static final String ARTIFACT_INTEGRITY_FAILURES = "lethe.artifact.integrity.failures";
    /** Counter, label {@code pool}: retain, holdout — samples put back into a pool drained by erasures. */
    public static final String POOL_REFILLED = "lethe.pool.refilled.samples";
    /** Counter: publish transactions aborted. */
    public static final String PUBLISH_ABORTS = "lethe.publish.aborts";
    /** Counter, label {@code outcome}: adopted, refused, dead_lettered — retrain events by what became of them. */
    public static final String REBASES = "lethe.rebases";
    /** Counter: failed attempts to destroy the keys of quarantined erasures past their bound (alert on any). */
    public static final String QUARANTINE_SHRED_FAILURES = "lethe.quarantine.shred.failures";
    /** Gauge: 1 while a retrain waits or is being rebased onto (forget batches wait meanwhile). */
    public static final String REBASE_IN_PROGRESS = "lethe.rebase.in.progress";
    /** Counter: times the request consumer rejoined its group in place after a publish found its generation stale. */
    public static final String GROUP_REJOINS = "lethe.request.group.rejoins";
    /** Gauge: records the request listener is behind the end of the requests topic. */
    public static final String REQUEST_LAG = "lethe.request.consumer.lag";
    /** Gauge: cumulative fall of holdout accuracy since the base model (the last one trained from scratch). */
    public static final String DRIFT_ACCURACY_DROP = "lethe.drift.accuracy.drop";
    /** Gauge: share of the base model's training samples erased since. */
    public static final String DRIFT_ERASED_FRACTION = "lethe.drift.erased.fraction";
    /** Gauge: 1 once a drift budget is exceeded for the current base (a retrain is due), else 0. */
    public static final String DRIFT_BUDGET_EXCEEDED = "lethe.drift.budget.exceeded";
    /** Counter, label {@code reason}: budget — retrain.required events published for the drift budget. */
    public static final String RETRAIN_REQUIRED = "lethe.retrain.required";
    /** Gauge = 1, label {@code device}: cpu or gpu(n) the model runs on. */
    public static final String DEVICE = "lethe.device.info";

    public static final Duration GDPR_DEADLINE = Duration.ofDays(30);

    private final MeterRegistry registry;
    private final AtomicReference<Double> miaAuc = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> miaAucBefore = new AtomicReference<>(Double.NaN);
    private final AtomicLong modelVersion = new AtomicLong();
    private final AtomicLong requestLag = new AtomicLong();
    private final Timer latency;

    public LetheMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(MIA_AUC, () -> miaAuc.get()).description("Membership-attack AUC after the last batch").register(registry);
        Gauge.builder(MIA_AUC_BEFORE, () -> miaAucBefore.get()).description("Membership-attack AUC before the last batch")
                .register(registry);
        Gauge.builder(MODEL_VERSION, modelVersion::get).description("Current model version").register(registry);
        Gauge.builder(DEADLINE, () -> (double) GDPR_DEADLINE.toSeconds()).baseUnit("seconds")
                .description("Erasure deadline the pending age is measured against").register(registry);
        Gauge.builder(REQUEST_LAG, requestLag::get).description("Records behind the end of the requests topic")
                .register(registry);
        latency = Timer.builder(REQUEST_LATENCY).description("Request arrival to terminal audit event")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100))
                .maximumExpectedValue(Duration.ofDays(30)).register(registry);
        // Pre-register the labelled counters so that every series exists from the start.
        for (String outcome : new String[] {"received", "duplicate", "completed", "escalated", "dead_lettered"}) {
            requests(outcome);
        }
        for (String outcome : new String[] {"indexed", "tombstone", "tombstone_other_model", "refused", "dead_lettered"}) {
            samples(outcome);
        }
        deadLetters("requests");
        deadLetters("samples");
        Counter.builder(VERSIONS_PUBLISHED).description("Model versions published by this process").register(registry);
        Counter.builder(ARTIFACT_INTEGRITY_FAILURES).description("Artifacts refused because their sha256 did not match")
                .register(registry);
        Counter.builder(PUBLISH_ABORTS).description("Publish transactions aborted").register(registry);
        Counter.builder(QUARANTINE_SHRED_FAILURES)
                .description("Failed attempts to destroy the keys of quarantined erasures past their bound").register(registry);
        Counter.builder(GROUP_REJOINS).description("Request consumer rejoined its group after a stale-generation publish")
                .register(registry);
        poolRefilled("retain");
        poolRefilled("holdout");
        for (String outcome : java.util.List.of("adopted", "refused", "dead_lettered")) {
            rebases(outcome);
        }
        batchSamples();
        batchRequests();
        unlearnTimer("passed");
        unlearnTimer("failed");
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void requests(String outcome, long n) {
        requests(outcome).increment(n);
    }

    private Counter requests(String outcome) {
        return Counter.builder(REQUESTS).tag("outcome", outcome).description("Deletion requests by outcome").register(registry);
    }

    public void samples(String outcome, long n) {
        samples(outcome).increment(n);
    }

    private Counter samples(String outcome) {
        return Counter.builder(SAMPLES_INGESTED).tag("outcome", outcome).description("Sample records by outcome")
                .register(registry);
    }

    /** Samples a background top-up put back into the retain buffer and the holdout set. */
    public void poolsRefilled(long retain, long holdout) {
        poolRefilled("retain").increment(retain);
        poolRefilled("holdout").increment(holdout);
    }

    private Counter poolRefilled(String pool) {
        return Counter.builder(POOL_REFILLED).tag("pool", pool)
                .description("Samples put back into a sample pool that erasures had drained").register(registry);
    }

    public void deadLetter(String topic) {
        deadLetters(topic).increment();
    }

    private Counter deadLetters(String topic) {
        return Counter.builder(DEAD_LETTERS).tag("topic", topic).description("Records sent to a dead-letter topic")
                .register(registry);
    }

    private DistributionSummary batchSamples() {
        return DistributionSummary.builder(BATCH_SAMPLES).description("Samples per forget batch").register(registry);
    }

    private DistributionSummary batchRequests() {
        return DistributionSummary.builder(BATCH_REQUESTS).description("Requests per forget batch").register(registry);
    }

    private Timer unlearnTimer(String outcome) {
        return Timer.builder(UNLEARN_DURATION).tag("outcome", outcome)
                .description("Unlearning and verification of one forget batch").register(registry);
    }

    public void batch(long samples, int requests, Duration unlearning, boolean passed) {
        batchSamples().record(samples);
        batchRequests().record(requests);
        if (unlearning != null) {
            unlearnTimer(passed ? "passed" : "failed").record(unlearning);
        }
    }

    public void mia(double before, double after) {
        miaAucBefore.set(before);
        miaAuc.set(after);
    }

    public void modelVersion(long version) {
        modelVersion.set(version);
    }

    public void versionPublished() {
        registry.counter(VERSIONS_PUBLISHED).increment();
    }

    public void integrityFailure() {
        registry.counter(ARTIFACT_INTEGRITY_FAILURES).increment();
    }

    public void publishAborted() {
        registry.counter(PUBLISH_ABORTS).increment();
    }

    public void groupRejoined() {
        registry.counter(GROUP_REJOINS).increment();
    }

    public void requestLatency(Duration d) {
        latency.record(d.isNegative() ? Duration.ZERO : d);
    }

    public void requestLag(long records) {
        requestLag.set(records);
    }

    public void gauge(String name, String description, String baseUnit, DoubleSupplier value) {
        // Strong reference: the supplier is often a lambda nobody else holds (a weak one reads NaN after a GC).
        Gauge.Builder<DoubleSupplier> b = Gauge.builder(name, value, DoubleSupplier::getAsDouble).strongReference(true)
                .description(description);
        if (baseUnit != null) {
            b.baseUnit(baseUnit);
        }
        b.register(registry);
    }

    public void retrainRequired(String reason) {
        Counter.builder(RETRAIN_REQUIRED).tag("reason", reason).description("Retrain-required events published by reason")
                .register(registry).increment();
    }

    public void quarantineShredFailed() {
        registry.counter(QUARANTINE_SHRED_FAILURES).increment();
    }

    public void rebase(String outcome) {
        rebases(outcome).increment();
    }

    private Counter rebases(String outcome) {
        return Counter.builder(REBASES).tag("outcome", outcome).description("Retrain events by outcome").register(registry);
    }

    public void device(String device) {
        Gauge.builder(DEVICE, () -> 1.0).tag("device", device).description("Device the model runs on").register(registry);
    }
}
