package dev.lethe.core.erasure;

import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.unlearn.VerifiedUnlearning;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What became of one forget batch, ready to publish.
 *
 * @param kind      PASSED: a new version is staged; EMPTY: no subject had samples, nothing to
 *                  unlearn; FAILED: no new version, the requests are escalated
 * @param sampleIds the forgotten sample ids of each subject (empty lists for unknown subjects)
 * @param outcome   the verified run, or null where none ran
 * @param staged    the staged version (PASSED only)
 * @param reason    why it failed (FAILED only)
 * @param took      time spent gathering, unlearning, verifying and staging
 */
public record BatchResult(Kind kind, ForgetBatcher.Batch batch, Map<String, List<String>> sampleIds,
        VerifiedUnlearning.Outcome outcome, ModelVersionEvent staged, String reason, Duration took) {

    public enum Kind { PASSED, EMPTY, FAILED }

    public static BatchResult passed(ForgetBatcher.Batch batch, Map<String, List<String>> ids,
            VerifiedUnlearning.Outcome outcome, ModelVersionEvent staged, Duration took) {
        return new BatchResult(Kind.PASSED, batch, Map.copyOf(ids), outcome, staged, null, took);
    }

    public static BatchResult empty(ForgetBatcher.Batch batch, Map<String, List<String>> ids, Duration took) {
        return new BatchResult(Kind.EMPTY, batch, Map.copyOf(ids), null, null, null, took);
    }

    public static BatchResult failed(ForgetBatcher.Batch batch, Map<String, List<String>> ids,
            VerifiedUnlearning.Outcome outcome, String reason, Duration took) {
        return new BatchResult(Kind.FAILED, batch, Map.copyOf(ids), outcome, null, reason, took);
    }

    /**
     * The membership part of this batch's audit events: the loss attack's scores and threshold, and
     * the full {@link dev.lethe.core.events.GateRecord} (method, objective, every attack, verdict).
     */
    public AuditEvent.Mia mia() {
        return miaOf(outcome);
    }

    /** The membership part of the audit events of a verified run. */
    public static AuditEvent.Mia miaOf(VerifiedUnlearning.Outcome outcome) {
        double threshold = outcome.checks().isEmpty() ? Double.NaN : outcome.checks().get(0).threshold();
        return new AuditEvent.Mia(outcome.miaAuc(), outcome.miaAucBefore(), threshold, outcome.passed(),
                outcome.verification());
    }

    public int samplesOf(String subjectId) {
        List<String> ids = sampleIds.get(subjectId);
        return ids == null ? 0 : ids.size();
    }

    public int totalSamples() {
        return sampleIds.values().stream().mapToInt(List::size).sum();
    }
}
