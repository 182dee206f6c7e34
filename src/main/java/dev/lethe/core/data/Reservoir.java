package dev.lethe.core.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * A fixed-capacity uniform random sample of a stream (Vitter's Algorithm R). The unlearning
 * methods keep such a buffer of retained training data to repair the model after a deletion,
 * without storing the whole training set; deletions later drop erased subjects from it with
 * {@link #remove(Predicate)}.
 *
 * <p>After a removal the buffer is still a uniform sample of the surviving items it was drawn
 * from, just smaller; items offered afterwards fill the free slots directly, so until the buffer
 * is full again newer items are over-represented. That is the price of not re-reading the stream.
 *
 * <p>Not thread-safe: confine an instance to one thread or synchronise externally.
 */
public final class Reservoir<T> {

    private final int capacity;
    private final SplittableRandom rng;
    private final List<T> items;
    private long seen;

    public Reservoir(int capacity, long seed) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, was " + capacity);
        }
        this.capacity = capacity;
        this.rng = new SplittableRandom(seed);
        this.items = new ArrayList<>(Math.min(capacity, 1 << 16));
    }

    /**
     * Offers the next item of the stream.
     *
     * @return whether the item is now in the buffer (possibly evicting another)
     */
    public boolean offer(T item) {
        Objects.requireNonNull(item, "item");
        seen++;
        if (items.size() < capacity) {
            items.add(item);
            return true;
        }
        if (capacity == 0) {
            return false;
        }
        long j = rng.nextLong(seen);
        if (j < capacity) {
            items.set((int) j, item);
            return true;
        }
        return false;
    }

    /**
     * Drops every buffered item matching {@code filter}; {@link #seen()} is unchanged.
     *
     * @return how many items were dropped
     */
    public int remove(Predicate<? super T> filter) {
        int before = items.size();
        items.removeIf(filter);
        return before - items.size();
    }

    /** A copy of the buffer, in slot order. */
    public List<T> snapshot() {
        return List.copyOf(items);
    }

    public int size() {
        return items.size();
    }

    public int capacity() {
        return capacity;
    }

    /** How many items were offered in total, kept or not. */
    public long seen() {
        return seen;
    }
}
