package dev.lethe.core.erasure;

import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.requests.SubjectIndex;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one owner of a subject's erased state: which subjects must not be (re)learned — erased ones,
 * and those of the batch being unlearned right now. Everyone else (the sample ingest, the pools'
 * refusal, the REST read model) asks {@link #isErased}; only {@link #erased} writes.
 *
 * <p>An erasure is recorded in two places that this class keeps together: the index's mark
 * (written with the removal of the subject's samples, in one write) and the pseudonyms of every
 * completed erasure on the audit topic — the durable record, read at start-up through
 * {@link #erasedRef}, so a crash between the publish and the index write cannot let a forgotten
 * subject's samples back in.
 */
public final class ErasedSubjects {

    private final SubjectIndex index;
    private final Pseudonymizer pseudonymizer;
    private final Set<String> erasedRefs = ConcurrentHashMap.newKeySet();
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();

    public ErasedSubjects(SubjectIndex index, Pseudonymizer pseudonymizer) {
        this.index = index;
        this.pseudonymizer = pseudonymizer;
    }

    /** Remembers a completed erasure by its audit pseudonym (recovery from the audit topic). */
    public void erasedRef(String subjectRef) {
        erasedRefs.add(subjectRef);
    }

    /** The subjects of a batch about to be unlearned: samples that arrive for them meanwhile are refused. */
    public void startErasing(String subjectId) {
        inProgress.add(subjectId);
    }

    public void doneErasing(String subjectId) {
        inProgress.remove(subjectId);
    }

    /**
     * Records committed erasures: the subjects' samples leave the index and their erased marks are
     * written in the same index write; their pseudonyms are remembered.
     */
    public void erased(Collection<String> subjectIds) {
        if (subjectIds.isEmpty()) {
            return;
        }
        index.apply(w -> {
            for (String subject : subjectIds) {
                w.removeSubject(subject);
                w.markErased(subject);
            }
        });
        subjectIds.forEach(s -> erasedRefs.add(pseudonymizer.pseudonymize(s)));
    }

    public boolean isErased(String subjectId) {
        return inProgress.contains(subjectId) || index.isErased(subjectId)
                || erasedRefs.contains(pseudonymizer.pseudonymize(subjectId));
    }

    public int knownErased() {
        return erasedRefs.size();
    }
}
