package dev.lethe.daemon.rebase;

import dev.lethe.core.erasure.BatchResult;
import dev.lethe.core.erasure.PendingRequest;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.rebase.Quarantine;
import dev.lethe.daemon.config.LetheConfig;
import dev.lethe.daemon.pipeline.ErasurePipeline;
import dev.lethe.daemon.registry.ModelRegistry;
import dev.lethe.daemon.requests.AfterCommit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/** Opens the rebase quarantine at start-up and ties it to the batches' lifecycle. */
public final class RebaseSetup {

    private static final Logger LOG = Logger.getLogger(RebaseSetup.class);

    private RebaseSetup() {
    }

    /**
     * The quarantine, made consistent with the published lineage: on a deployment that erased
     * before the quarantine existed, a retrain must be newer than the samples topic's end at this
     * start (those erasures cannot be re-applied); and the newest rebase's position is the base,
     * in case a crash came between its commit and the quarantine's update.
     */
    public static Quarantine quarantine(LetheConfig config, Path dir, ModelRegistry registry,
            Map<Integer, Long> samplesEndNow, Clock clock) throws IOException {
        boolean existed = Files.isDirectory(dir);
        Quarantine quarantine = new Quarantine(dir, config.rebase().quarantineFor(), clock);
        List<ModelVersionEvent> lineage = registry.versions();
        if (!quarantine.droppedAtOpen().isEmpty()) {
            // Staged batches whose commit may or may not have happened before a crash: if one did,
            // its tombstones lie before the topic's end now, and a retrain must be at least as new.
            quarantine.raiseHorizon(samplesEndNow);
            LOG.infof("rebase quarantine: %d batch(es) left unsealed by a crash; retrains must have read lethe.samples"
                    + " up to %s", quarantine.droppedAtOpen().size(), samplesEndNow);
        }
        if (!existed && lineage.size() > 1) {
            quarantine.raiseHorizon(samplesEndNow);
            LOG.infof("rebase quarantine created after erasures: retrains must have read lethe.samples up to %s",
                    samplesEndNow);
        }
        for (int i = lineage.size() - 1; i >= 0; i--) {
            ModelVersionEvent.Rebase rebase = lineage.get(i).rebase();
            if (rebase != null) {
                if (!rebase.samplesPosition().equals(quarantine.basePosition())) {
                    quarantine.adopted(rebase.samplesPosition());
                }
                break;
            }
        }
        int shredded = quarantine.shredExpired();
        LOG.infof("rebase quarantine: %d erasure batch(es) kept for up to %s, %d expired now",
                quarantine.entries().size(), config.rebase().quarantineFor(), shredded);
        return quarantine;
    }

    /** Per partition of {@code topic}, its end offset now (where a retrain taken now would have read up to). */
    public static Map<Integer, Long> endOffsets(Consumer<?, ?> consumer, String topic) {
        Map<Integer, Long> ends = new java.util.HashMap<>();
        consumer.endOffsets(consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList())
                .forEach((tp, end) -> ends.put(tp.partition(), end));
        return ends;
    }

    /** Batches stage their samples; a committed batch seals them with its tombstones' end, a failed one drops them. */
    public static void sealAndDiscard(Quarantine quarantine, ErasurePipeline pipeline, AfterCommit after) {
        pipeline.quarantineInto(quarantine);
        after.onBatch((result, tombstoneEnds) -> {
            if (result.totalSamples() == 0) {
                return;
            }
            List<String> requestIds = result.batch().requests().stream().map(PendingRequest::requestId).toList();
            try {
                quarantine.seal(ErasurePipeline.batchId(result.batch()), requestIds, tombstoneEnds,
                        after.clock().instant());
            } catch (IOException | RuntimeException e) {
                // Unsealed, the batch cannot be re-applied: no retrain that misses it may be adopted.
                LOG.errorf("cannot seal the batch's quarantine entry: %s", e.getMessage());
                try {
                    quarantine.raiseHorizon(tombstoneEnds);
                } catch (IOException | RuntimeException again) {
                    throw new IllegalStateException("cannot record an erasure a rebase could not re-apply", again);
                }
            }
        });
        after.onNotPublished(result -> discard(quarantine, result));
    }

    private static void discard(Quarantine quarantine, BatchResult result) {
        try {
            quarantine.discard(ErasurePipeline.batchId(result.batch()));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot discard an unpublished batch's quarantine entry (removed at the next start): %s",
                    e.getMessage());
        }
    }
}
