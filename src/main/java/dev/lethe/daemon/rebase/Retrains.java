package dev.lethe.daemon.rebase;

import dev.lethe.core.erasure.BatchResult;
import dev.lethe.core.erasure.OffsetTracker;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.rebase.Quarantine;
import dev.lethe.core.rebase.RetrainEvent;
import dev.lethe.core.rebase.RetrainEventReader;
import dev.lethe.daemon.kafka.Records;
import dev.lethe.daemon.observe.LetheMetrics;
import dev.lethe.daemon.publish.Publisher;
import dev.lethe.daemon.requests.AfterCommit;
import dev.lethe.daemon.requests.RequestCoordinator;
import dev.lethe.daemon.requests.TransactionalPublish;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * The Kafka shell around rebasing (ADR 0015), run on the request coordinator's thread: retrain
 * events are read with the requests, so a retrain's offset is committed in the same transaction
 * as its outcome — the adopted base version and its {@code dev.lethe.model.rebased} audit event,
 * or a {@code dev.lethe.model.rebase.refused} one. A crash before that commit re-reads the event
 * and runs the rebase again. Unreadable events go to the dead-letter topic; another model's are
 * skipped. While a rebase waits or runs, no forget batch starts: requests that arrive wait and are
 * unlearned on whatever version is current afterwards.
 */
public final class Retrains implements RequestCoordinator.RetrainListener {

    private static final Logger LOG = Logger.getLogger(Retrains.class);
    private static final Duration SHRED_EVERY = Duration.ofMinutes(1);

    /** The topics it reads and writes. */
    public record Topics(String retrains, String retrainsDlq, String versions) {
    }

    private record Queued(RetrainEvent event, int partition, long offset) {
    }

    private final Topics topics;
    private final RetrainEventReader reader;
    private final RebaseRun run;
    private final ExecutorService unlearningThread;
    private final Quarantine quarantine;
    private final AfterCommit after;
    private final Pseudonymizer pseudonymizer;
    private final Consumer<List<ModelVersionEvent>> adopted;
    private final Deque<Queued> queue = new ArrayDeque<>();
    private final OffsetTracker offsets = new OffsetTracker();
    private Queued running;
    private Future<Rebase> inFlight;
    private Instant nextShred = Instant.MIN;
    /** {@link #busy()} as of the coordinator's last step, for the gauge (read on other threads). */
    private volatile boolean busy;

    /** @param adopted told the lineage after a new base became current (the drift budget starts again) */
    public Retrains(Topics topics, RetrainEventReader reader, RebaseRun run, ExecutorService unlearningThread,
            Quarantine quarantine, AfterCommit after, Pseudonymizer pseudonymizer,
            Consumer<List<ModelVersionEvent>> adopted) {
        this.topics = topics;
        this.reader = reader;
        this.run = run;
        this.unlearningThread = unlearningThread;
        this.quarantine = quarantine;
        this.after = after;
        this.pseudonymizer = pseudonymizer;
        this.adopted = adopted;
        after.metrics().gauge(LetheMetrics.REBASE_IN_PROGRESS, "1 while a retrain waits or is being rebased onto", null,
                () -> busy ? 1 : 0);
    }

    @Override
    public String topic() {
        return topics.retrains();
    }

    @Override
    public boolean busy() {
        return inFlight != null || !queue.isEmpty();
    }

    @Override
    public void intake(List<ConsumerRecord<byte[], byte[]>> records, TransactionalPublish publish) {
        if (records.isEmpty()) {
            return;
        }
        String model = after.registry().model();
        Publisher.Transaction tx = new Publisher.Transaction();
        int dead = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            offsets.consumed(r.partition(), r.offset());
            RetrainEventReader.Result result = reader.read(r.key(), r.value(), Records.headers(r));
            if (result instanceof RetrainEventReader.Rejected rejected) {
                tx.record(Records.deadLetter(topics.retrainsDlq(), r, rejected.reason(), model));
                dead++;
            } else if (result instanceof RetrainEventReader.Accepted accepted) {
                if (accepted.event().model().equals(model)) {
                    queue.add(new Queued(accepted.event(), r.partition(), r.offset()));
                    offsets.opened(r.partition(), r.offset());
                }
            }
        }
        busy = busy();
        publish.publish(tx, commitable());
        for (int i = 0; i < dead; i++) {
            after.metrics().rebase("dead_lettered");
            after.metrics().deadLetter("retrains");
        }
        if (dead > 0) {
            LOG.infof("%d unreadable retrain event(s) sent to the dead-letter topic", dead);
        }
    }

    @Override
    public void step(boolean batchRunning, TransactionalPublish publish) {
        Instant now = after.clock().instant();
        if (now.isAfter(nextShred)) {
            nextShred = now.plus(SHRED_EVERY);
            try {
                int shredded = quarantine.shredExpired();
                if (shredded > 0) {
                    LOG.infof("quarantine: the keys of %d erasure batch(es) past lethe.rebase.quarantine-for destroyed",
                            shredded);
                }
            } catch (IOException e) {
                // Tried again in a minute; an erasure's samples outliving their bound is an alert, not a crash.
                after.metrics().quarantineShredFailed();
                LOG.errorf("quarantine: cannot destroy expired keys: %s", e.getMessage());
            }
        }
        if (inFlight == null && !queue.isEmpty() && !batchRunning) {
            running = queue.poll();
            RetrainEvent event = running.event();
            inFlight = unlearningThread.submit(() -> run.run(event));
        }
        if (inFlight != null && inFlight.isDone()) {
            finish(publish);
        }
        busy = busy();
    }

    private void finish(TransactionalPublish publish) {
        Rebase rebase;
        try {
            rebase = inFlight.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the rebase failed unexpectedly", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        inFlight = null;
        offsets.finished(running.partition(), running.offset());
        running = null;
        RetrainEvent retrain = rebase.retrain();
        String modelRef = pseudonymizer.pseudonymize(retrain.model());
        AuditEvent.Mia mia = rebase.outcome() == null ? null : BatchResult.miaOf(rebase.outcome());
        Publisher.Transaction tx = new Publisher.Transaction();
        if (rebase.adopted()) {
            ModelVersionEvent v = rebase.staged();
            tx.record(Publisher.versionRecord(topics.versions(), v));
            tx.audit(AuditEvent.rebased(retrain.id(), modelRef, v.version(), rebase.samples(), mia,
                    "retrain adopted as base version " + v.version() + "; " + rebase.reapplied().size()
                            + " completed erasure(s) it missed re-applied", v.unlearning()));
        } else {
            tx.audit(AuditEvent.rebaseRefused(retrain.id(), modelRef, mia, rebase.reason()));
        }
        try {
            publish.publish(tx, commitable());
        } catch (RuntimeException e) {
            if (rebase.adopted()) {
                rebase.network().close();
                after.registry().discard(rebase.staged());
            }
            throw e;
        }
        if (rebase.adopted()) {
            after.registry().commit(rebase.staged(), rebase.network());
            try {
                quarantine.adopted(retrain.samplesPosition());
            } catch (IOException e) {
                // Safe: the base position is recovered from the version event at the next start, and
                // entries the retrain honoured are shredded when their time is up.
                LOG.warnf("quarantine: cannot record the new base position: %s", e.getMessage());
            }
            after.metrics().modelVersion(rebase.staged().version());
            after.metrics().versionPublished();
            after.metrics().rebase("adopted");
            adopted.accept(after.registry().versions());
            LOG.infof("rebased %s onto a retrain: base version %d, %d erasure(s) re-applied (%d samples)",
                    retrain.model(), rebase.staged().version(), rebase.reapplied().size(), rebase.samples());
        } else {
            after.metrics().rebase("refused");
            LOG.warnf("retrain of %s not adopted: %s", retrain.model(), rebase.reason());
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> commitable() {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        offsets.advance().forEach((p, o) -> out.put(new TopicPartition(topics.retrains(), p), new OffsetAndMetadata(o)));
        return out;
    }
}
