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
 * <p>A reservoir can be persisted and {@linkplain #resume resumed}: its items and its counter
 * {@link #seen()} are all the state Algorithm R needs; the random generator of a resumed reservoir is
 * seeded from the original seed and the counter, so it does not replay the draws made before (which
 * would correlate the decisions), and the same state resumed twice makes the same choices.
 *
 * <p>Not thread-safe: confine an instance to one thread or synchronise externally.
 */
public final class Reservoir<T> {

    private final int capacity;
    private final SplittableRandom rng;
    private final List<T> items;
    private long seen;

    /** What one {@link #offerTracked} did: whether the item was kept, and the item it evicted (or null). */
    public record Offer<T>(boolean kept, T evicted) {
    }

    public Reservoir(int capacity, long seed) {
        this(capacity, new SplittableRandom(seed), 0);
    }

    private Reservoir(int capacity, SplittableRandom rng, long seen) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, was " + capacity);
        }
        this.capacity = capacity;
        this.rng = rng;
        this.items = new ArrayList<>(Math.min(capacity, 1 << 16));
        this.seen = seen;
    }

    /**
     * A reservoir that carries on from a persisted state: {@code items} (in any order: slots are
     * chosen uniformly, so their order does not matter) after {@code seen} offers. Offering the same
     * stream to it then gives the distribution an uninterrupted reservoir would have had.
     *
     * @param seed the seed the reservoir was created with; mixed with {@code seen} for the new draws
     */
    public static <T> Reservoir<T> resume(int capacity, long seed, long seen, List<T> items) {
        Objects.requireNonNull(items, "items");
        if (items.size() > capacity) {
            throw new IllegalArgumentException(items.size() + " items exceed the capacity " + capacity);
        }
        if (seen < items.size()) {
            throw new IllegalArgumentException("seen (" + seen + ") is below the item count " + items.size());
        }
        Reservoir<T> r = new Reservoir<>(capacity, new SplittableRandom(mix(seed, seen)), seen);
        items.forEach(item -> r.items.add(Objects.requireNonNull(item, "item")));
        return r;
    }

    /** A well-spread 64-bit seed from the original seed and the counter (SplitMix64's finaliser). */
    private static long mix(long seed, long seen) {
        long z = seed + (seen + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
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

    /** {@link #offer}, also telling which item was evicted to make room (for a persisted copy). */
    public Offer<T> offerTracked(T item) {
        Objects.requireNonNull(item, "item");
        seen++;
        if (items.size() < capacity) {
            items.add(item);
            return new Offer<>(true, null);
        }
        if (capacity == 0) {
            return new Offer<>(false, null);
        }
        long j = rng.nextLong(seen);
        if (j < capacity) {
            return new Offer<>(true, items.set((int) j, item));
        }
        return new Offer<>(false, null);
    }

    /**
     * Replaces, in its slot, the first buffered item matching {@code match} by {@code item} (a newer
     * version of the same item: not a new offer, so {@link #seen()} is unchanged).
     *
     * @return whether an item was replaced
     */
    public boolean replace(Predicate<? super T> match, T item) {
        Objects.requireNonNull(item, "item");
        for (int i = 0; i < items.size(); i++) {
            if (match.test(items.get(i))) {
                items.set(i, item);
                return true;
            }
        }
        return false;
    }

    /** {@link #remove}, returning the dropped items. */
    public List<T> removeAll(Predicate<? super T> filter) {
        List<T> removed = new ArrayList<>();
        items.removeIf(item -> {
            if (filter.test(item)) {
                removed.add(item);
                return true;
            }
            return false;
        });
        return removed;
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

    /**
     * Puts an item into a free slot without offering it: for refilling a buffer that removals
     * drained from items drawn uniformly elsewhere (see {@link #resetSeen}). {@link #seen()} is
     * unchanged.
     *
     * @return false when the buffer is full
     */
    public boolean fill(T item) {
        Objects.requireNonNull(item, "item");
        if (items.size() >= capacity) {
            return false;
        }
        items.add(item);
        return true;
    }

    /**
     * Sets the counter to {@code population}: after a refill the buffer is a uniform sample of
     * that many items (the survivors of the stream so far, not every item ever offered), and later
     * offers must be kept with probability capacity / (population + 1) for it to stay one.
     */
    public void resetSeen(long population) {
        if (population < items.size()) {
            throw new IllegalArgumentException("population " + population + " is below the item count " + items.size());
        }
        seen = population;
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
