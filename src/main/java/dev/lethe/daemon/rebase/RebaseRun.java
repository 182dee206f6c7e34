package dev.lethe.daemon.rebase;

import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.events.UnlearningRecord;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.ModelFiles;
import dev.lethe.core.model.Network;
import dev.lethe.core.rebase.Quarantine;
import dev.lethe.core.rebase.RebasePlan;
import dev.lethe.core.rebase.RetrainEvent;
import dev.lethe.core.unlearn.VerifiedUnlearning;
import dev.lethe.daemon.ingest.SamplePools;
import dev.lethe.daemon.registry.InitialModelFetch;
import dev.lethe.daemon.registry.ModelRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Turns one retrain event into a {@link Rebase}, outside any transaction (on the unlearning
 * thread): fetches the artifact and checks its sha256 and shape, decides from the quarantine which
 * completed erasures the retrain missed ({@link RebasePlan}), re-applies them with the normal gate
 * and stages the new base version. Publishing is the coordinator's job.
 */
public final class RebaseRun {

    private static final Logger LOG = Logger.getLogger(RebaseRun.class);

    /** Where the retrain artifact is fetched before it is read. */
    private final Path downloads;
    private final ModelRegistry registry;
    private final Architecture architecture;
    private final Quarantine quarantine;
    private final SamplePools pools;
    private final VerifiedUnlearning unlearning;
    private final long seed;
    private final Clock clock;
    private final String unlearningPath;

    public RebaseRun(Path downloads, ModelRegistry registry, Architecture architecture, Quarantine quarantine,
            SamplePools pools, VerifiedUnlearning unlearning, long seed, Clock clock, String unlearningPath) {
        this.downloads = downloads;
        this.registry = registry;
        this.architecture = architecture;
        this.quarantine = quarantine;
        this.pools = pools;
        this.unlearning = unlearning;
        this.seed = seed;
        this.clock = clock;
        this.unlearningPath = unlearningPath;
    }

    public Rebase run(RetrainEvent retrain) {
        LOG.infof("rebase started: retrain of %s from samples position %s", retrain.model(), retrain.samplesPosition());
        RebasePlan plan = RebasePlan.of(retrain.samplesPosition(), quarantine.basePosition(), quarantine.horizon(),
                quarantine.entries());
        if (plan.decision() == RebasePlan.Decision.REFUSE) {
            return Rebase.refused(retrain, plan.reason(), null);
        }
        Network retrained;
        Path artifact = downloads.resolve(Rebase.fileName(retrain));
        try {
            InitialModelFetch.fetch(URI.create(retrain.artifactUri()), retrain.sha256(), artifact);
            retrained = registry.readInitial(artifact, architecture, registry.current().inputShape(),
                    registry.current().numClasses());
        } catch (IOException | RuntimeException e) {
            // The reason goes into the audit trail: said in the retrain's terms, without the URI.
            LOG.warnf("retrain artifact refused: %s", e.getMessage());
            String why = e instanceof InitialModelFetch.DigestMismatchException
                    ? "its bytes do not have the sha256 the event names"
                    : "it cannot be fetched or read as a model of this shape (" + e.getClass().getSimpleName() + ")";
            return Rebase.refused(retrain, "the retrained artifact cannot be used: " + why, null);
        } finally {
            deleteQuietly(artifact);
        }
        ModelVersionEvent.Rebase lineage = new ModelVersionEvent.Rebase(retrain.id(), retrain.samplesPosition());
        try {
            if (plan.decision() == RebasePlan.Decision.ADOPT) {
                ModelVersionEvent staged = registry.stageBase(retrained, List.of(), 0,
                        new ModelVersionEvent.Metrics(Double.NaN, Double.NaN, Double.NaN, Double.NaN), clock.instant(),
                        null, lineage);
                return Rebase.adopted(retrain, staged, retrained, List.of(), 0, null);
            }
            return reapply(retrain, plan.reapply(), retrained, lineage);
        } catch (IOException | RuntimeException e) {
            LOG.error("rebase failed", e);
            retrained.close();
            return Rebase.refused(retrain, "the rebase failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
                    null);
        }
    }

    private Rebase reapply(RetrainEvent retrain, List<Quarantine.Entry> entries, Network retrained,
            ModelVersionEvent.Rebase lineage) throws IOException {
        List<Sample> forget = new ArrayList<>();
        List<String> requestIds = new ArrayList<>();
        for (Quarantine.Entry e : entries) {
            forget.addAll(quarantine.open(e.batchId()));
            requestIds.addAll(e.requestIds());
        }
        int[] shape = retrained.inputShape();
        int classes = retrained.numClasses();
        SampleSet retain = new SampleSet(pools.retainSnapshot(), shape, classes);
        SampleSet holdout = new SampleSet(pools.holdoutSnapshot(), shape, classes);
        if (retain.isEmpty() || holdout.size() < 4) {
            retrained.close();
            return Rebase.refused(retrain, "not enough data to re-apply " + entries.size() + " erasure batch(es): retain "
                    + retain.size() + " samples, holdout " + holdout.size(), null);
        }
        LOG.infof("rebase: re-applying %d erasure batch(es), %d sample(s), to the retrained model", entries.size(),
                forget.size());
        VerifiedUnlearning.Outcome outcome = unlearning.run(retrained, new SampleSet(forget, shape, classes), retain,
                holdout, seed * 1_000_003L + registry.nextVersion());
        if (!outcome.passed()) {
            outcome.unlearned().close();
            retrained.close();
            return Rebase.refused(retrain, "re-applying " + requestIds.size() + " erasure(s) to the retrain did not pass"
                    + " verification: " + outcome.reason(), outcome);
        }
        UnlearningRecord record = new UnlearningRecord(outcome.result().method(), null,
                ModelFiles.changedTensors(retrained, outcome.unlearned()), retrained.layout().size(), unlearningPath);
        retrained.close();
        ModelVersionEvent staged = registry.stageBase(outcome.unlearned(), requestIds, forget.size(),
                new ModelVersionEvent.Metrics(outcome.forgetAcc(), outcome.holdoutAcc(), outcome.miaAuc(),
                        outcome.miaAucBefore(), outcome.verification()), clock.instant(), record, lineage);
        return Rebase.adopted(retrain, staged, outcome.unlearned(), requestIds, forget.size(), outcome);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debugf("cannot delete %s: %s", p, e.getMessage());
        }
    }
}
