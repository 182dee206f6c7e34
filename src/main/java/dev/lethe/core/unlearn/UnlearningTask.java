package dev.lethe.core.unlearn;

import dev.lethe.core.data.SampleSet;

import java.util.Objects;

/**
 * What to forget and what to hold on to.
 *
 * @param forget    the samples to forget (whole data subjects)
 * @param retain    the retain buffer: a small sample of training data whose fit must be kept
 * @param reference never-trained-on samples that show what "unseen" looks like (stop rules and
 *                  the loss-matching target); never the set the result is reported on
 * @param seed      makes retain-batch sampling repeatable
 */
public record UnlearningTask(SampleSet forget, SampleSet retain, SampleSet reference, long seed) {

    public UnlearningTask {
        Objects.requireNonNull(forget, "forget");
        Objects.requireNonNull(retain, "retain");
        Objects.requireNonNull(reference, "reference");
        if (forget.isEmpty()) {
            throw new IllegalArgumentException("the forget set is empty: nothing to unlearn");
        }
        if (reference.isEmpty()) {
            throw new IllegalArgumentException("the reference set is empty: unseen data is needed to know when to stop");
        }
    }
}
