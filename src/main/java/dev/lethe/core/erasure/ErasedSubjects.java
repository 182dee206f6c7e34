package dev.lethe.core.erasure;

import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.requests.SubjectIndex;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which subjects must not be (re)learned: erased ones, and those of the batch being unlearned right
 * now. Erased subjects are known from two places: the index's own marks, and the pseudonyms of every
 * completed erasure on the audit topic — the durable record, read at start-up, so a crash between
 * the publish and the index write cannot let a forgotten subject's samples back in.
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

    /** Remembers a completed erasure by its audit pseudonym. */
    public void erasedRef(String subjectRef) {
        erasedRefs.add(subjectRef);
    }

    public void startErasing(String subjectId) {
        inProgress.add(subjectId);
    }

    public void doneErasing(String subjectId) {
        inProgress.remove(subjectId);
    }

    public boolean isErased(String subjectId) {
        return inProgress.contains(subjectId) || index.isErased(subjectId)
                || erasedRefs.contains(pseudonymizer.pseudonymize(subjectId));
    }

    public int knownErased() {
        return erasedRefs.size();
    }
}
