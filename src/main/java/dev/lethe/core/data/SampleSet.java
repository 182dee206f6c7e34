package dev.lethe.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An immutable, ordered collection of samples that share one feature shape and one label space.
 */
public final class SampleSet {

    private final List<Sample> samples;
    private final int[] shape;
    private final int numClasses;

    public SampleSet(List<Sample> samples, int[] shape, int numClasses) {
        this.samples = List.copyOf(samples);
        this.shape = shape.clone();
        this.numClasses = numClasses;
        int expected = featureCount();
        for (Sample s : this.samples) {
            if (s.features().length != expected) {
                throw new IllegalArgumentException("sample " + s.sampleId() + " has "
                        + s.features().length + " features, shape " + Arrays.toString(shape)
                        + " needs " + expected);
            }
            if (s.label() >= numClasses) {
                throw new IllegalArgumentException("sample " + s.sampleId() + " has label "
                        + s.label() + ", outside 0.." + (numClasses - 1));
            }
        }
    }

    public List<Sample> samples() {
        return samples;
    }

    public int size() {
        return samples.size();
    }

    public boolean isEmpty() {
        return samples.isEmpty();
    }

    public Sample get(int index) {
        return samples.get(index);
    }

    /** Feature shape of one sample, without the batch dimension, e.g. {1, 28, 28}. */
    public int[] shape() {
        return shape.clone();
    }

    public int numClasses() {
        return numClasses;
    }

    public int featureCount() {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** A set with the same shape and label space holding other samples. */
    public SampleSet with(Collection<Sample> others) {
        return new SampleSet(new ArrayList<>(others), shape, numClasses);
    }

    public SampleSet filter(Predicate<Sample> keep) {
        return with(samples.stream().filter(keep).toList());
    }

    public SampleSet bySubjects(Set<String> subjectIds) {
        return filter(s -> subjectIds.contains(s.subjectId()));
    }

    public SampleSet first(int n) {
        return with(samples.subList(0, Math.min(n, samples.size())));
    }

    public int[] labels() {
        int[] labels = new int[samples.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = samples.get(i).label();
        }
        return labels;
    }
}
