package dev.lethe.core.requests;

import dev.lethe.core.data.Reservoir;
import dev.lethe.core.data.Sample;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The rolling sample of training data that unlearning uses as its retain set: a
 * {@link Reservoir} of the train samples seen on {@code lethe.samples}, which must never hold a
 * sample of an erased subject — using one to repair the model would teach it back what was
 * forgotten.
 *
 * <p>Samples are refused while {@code erased} says their subject is erased. The caller chooses
 * what that covers: at least the index's erased marks ({@code index::isErased}), and preferably
 * also the subjects of batches being unlearned, so that samples arriving mid-erasure stay out.
 * When a batch is formed, {@link #removeSubject} drops what the buffer already holds.
 *
 * <p>Only train samples should be offered; routing by split is the ingest's job. Thread-safe: the
 * ingest offers while the pipeline takes snapshots and removes subjects.
 */
public final class RetainBuffer {

    private final Reservoir<Sample> reservoir;
    private final Predicate<String> erased;
    private long refused;

    /**
     * @param erased whether a subject id is erased (or being erased); must be thread-safe
     */
    public RetainBuffer(int capacity, long seed, Predicate<String> erased) {
        this.reservoir = new Reservoir<>(capacity, seed);
        this.erased = Objects.requireNonNull(erased, "erased");
    }

    /**
     * Offers a train sample to the reservoir.
     *
     * @return whether it is now in the buffer; false if its subject is erased or the reservoir
     *         passed it over
     */
    public synchronized boolean offer(Sample sample) {
        Objects.requireNonNull(sample, "sample");
        if (erased.test(sample.subjectId())) {
            refused++;
            return false;
        }
        return reservoir.offer(sample);
    }

    /** Drops every buffered sample of the subject; returns how many. */
    public synchronized int removeSubject(String subjectId) {
        Objects.requireNonNull(subjectId, "subjectId");
        return reservoir.remove(s -> s.subjectId().equals(subjectId));
    }

    /** Drops the sample with this id if buffered (a tombstone); returns whether it was. */
    public synchronized boolean removeSample(String sampleId) {
        Objects.requireNonNull(sampleId, "sampleId");
        return reservoir.remove(s -> s.sampleId().equals(sampleId)) > 0;
    }

    /** A copy of the buffer, to use as the retain set of one unlearning run. */
    public synchronized List<Sample> snapshot() {
        return reservoir.snapshot();
    }

    public synchronized int size() {
        return reservoir.size();
    }

    public int capacity() {
        return reservoir.capacity();
    }

    /** How many samples were refused because their subject was erased. */
    public synchronized long refusedCount() {
        return refused;
    }
}
