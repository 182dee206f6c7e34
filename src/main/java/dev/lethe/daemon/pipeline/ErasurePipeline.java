package dev.lethe.daemon.pipeline;

import dev.lethe.core.data.Sample;
import dev.lethe.core.erasure.BatchResult;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.events.Sha256Hex;
import dev.lethe.core.rebase.Quarantine;
import dev.lethe.core.events.UnlearningRecord;
import dev.lethe.core.model.ModelFiles;
import dev.lethe.core.model.Network;
import dev.lethe.core.erasure.ForgetBatcher;
import dev.lethe.core.erasure.PendingRequest;
import dev.lethe.core.requests.StoredSample;
import dev.lethe.core.requests.SubjectIndex;
import dev.lethe.core.unlearn.VerifiedUnlearning;
import dev.lethe.core.erasure.ErasedSubjects;
import dev.lethe.daemon.ingest.SamplePools;
import dev.lethe.daemon.registry.ModelRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Turns one forget batch into a {@link BatchResult}, outside any transaction: gathers the
 * subjects' samples, unlearns them from a copy of the current model with the retain buffer and the
 * holdout set, runs the verification gate and, when it passes, stages the new version's artifact.
 * Publishing is the coordinator's job; nothing here is visible to anyone until then.
 */
public final class ErasurePipeline {

    private static final Logger LOG = Logger.getLogger(ErasurePipeline.class);

    private final SubjectIndex index;
    private final SamplePools pools;
    private final ErasedSubjects erased;
    private final ModelRegistry registry;
    private final VerifiedUnlearning unlearning;
    private final long seed;
    private final Clock clock;
    /** {@code lethe.unlearning.parameters}, and how the model is unlearned with it: stated in each version. */
    private final String parameterPattern;
    private final String path;
    /** Where each batch's forgotten samples wait, encrypted, for a rebase (ADR 0015); null: nowhere. */
    private Quarantine quarantine;

    public ErasurePipeline(SubjectIndex index, SamplePools pools, ErasedSubjects erased, ModelRegistry registry,
            VerifiedUnlearning unlearning, long seed, Clock clock) {
        this(index, pools, erased, registry, unlearning, seed, clock, null, "built-in");
    }

    public ErasurePipeline(SubjectIndex index, SamplePools pools, ErasedSubjects erased, ModelRegistry registry,
            VerifiedUnlearning unlearning, long seed, Clock clock, String parameterPattern, String path) {
        this.parameterPattern = parameterPattern == null || parameterPattern.isBlank() ? null : parameterPattern;
        this.path = path;
        this.index = index;
        this.pools = pools;
        this.erased = erased;
        this.registry = registry;
        this.unlearning = unlearning;
        this.seed = seed;
        this.clock = clock;
    }

    /** Stages each batch's forgotten samples in {@code quarantine}; sealed or discarded after its publish. */
    public ErasurePipeline quarantineInto(Quarantine quarantine) {
        this.quarantine = quarantine;
        return this;
    }

    /** The quarantine id of a batch: derived from its request ids, so a re-run after a crash reuses it. */
    public static String batchId(ForgetBatcher.Batch batch) {
        return "b-" + Sha256Hex.ofUtf8(String.join("\n", batch.requests().stream().map(PendingRequest::requestId)
                .toList())).substring(0, 40);
    }

    /**
     * Marks the batch's subjects as being erased, so samples that arrive for them meanwhile are
     * refused and never join a pool. Call once the ingest has indexed every sample published
     * before the batch closed (those must be forgotten with it, not refused), just before
     * {@link #run}.
     */
    public void begin(ForgetBatcher.Batch batch) {
        batch.subjectIds().forEach(erased::startErasing);
    }

    public BatchResult run(ForgetBatcher.Batch batch) {
        long start = System.nanoTime();
        Map<String, List<String>> sampleIds = new LinkedHashMap<>();
        List<Sample> forget = new ArrayList<>();
        for (String subject : batch.subjectIds()) {
            List<String> ids = new ArrayList<>();
            for (StoredSample s : index.samplesOf(subject)) {
                ids.add(s.sampleId());
                forget.add(s.toSample());
            }
            sampleIds.put(subject, ids);
            // Out of the pools before anything is learned from them again.
            pools.removeSubject(subject);
        }
        if (forget.isEmpty()) {
            return BatchResult.empty(batch, sampleIds, elapsed(start));
        }
        if (quarantine != null) {
            try {
                quarantine.stage(batchId(batch), forget);
            } catch (java.io.IOException | RuntimeException e) {
                // Without it a retrain that misses this erasure is refused, never adopted: safe.
                LOG.errorf("cannot quarantine the batch's samples for a rebase: %s", e.getMessage());
            }
        }
        Network current = registry.current();
        int[] shape = current.inputShape();
        int classes = current.numClasses();
        SampleSet forgetSet = new SampleSet(forget, shape, classes);
        SampleSet retain = new SampleSet(pools.retainSnapshot(), shape, classes);
        SampleSet holdout = new SampleSet(pools.holdoutSnapshot(), shape, classes);
        if (retain.isEmpty() || holdout.size() < 4) {
            return BatchResult.failed(batch, sampleIds, null, "not enough data to unlearn and verify: retain buffer "
                    + retain.size() + " samples, holdout " + holdout.size() + " (need ≥ 1 and ≥ 4)", elapsed(start));
        }
        long runSeed = seed * 1_000_003L + registry.nextVersion();
        VerifiedUnlearning.Outcome outcome;
        try {
            outcome = unlearning.run(current, forgetSet, retain, holdout, runSeed);
        } catch (RuntimeException e) {
            LOG.error("unlearning failed", e);
            return BatchResult.failed(batch, sampleIds, null, "unlearning failed: " + e.getClass().getSimpleName(),
                    elapsed(start));
        }
        if (!outcome.passed()) {
            outcome.unlearned().close();
            return BatchResult.failed(batch, sampleIds, outcome, "verification failed: " + outcome.reason(),
                    elapsed(start));
        }
        List<String> requestIds = batch.requests().stream().map(PendingRequest::requestId).toList();
        ModelVersionEvent.Metrics metrics = new ModelVersionEvent.Metrics(outcome.forgetAcc(), outcome.holdoutAcc(),
                outcome.miaAuc(), outcome.miaAucBefore(), outcome.verification());
        try {
            UnlearningRecord record = new UnlearningRecord(outcome.result().method(), parameterPattern,
                    ModelFiles.changedTensors(current, outcome.unlearned()), current.layout().size(), path);
            ModelVersionEvent staged = registry.stage(outcome.unlearned(), requestIds, forget.size(), metrics,
                    clock.instant(), record);
            return BatchResult.passed(batch, sampleIds, outcome, staged, elapsed(start));
        } catch (java.io.IOException | RuntimeException e) {
            outcome.unlearned().close();
            LOG.error("cannot write the new version's artifact", e);
            return BatchResult.failed(batch, sampleIds, outcome, "cannot write the artifact: " + e.getMessage(),
                    elapsed(start));
        }
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
