package dev.lethe.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class ReservoirTest {

    @Test
    void keepsAtMostItsCapacityAndCountsEverythingSeen() {
        Reservoir<Integer> r = new Reservoir<>(10, 1);

        for (int i = 0; i < 5; i++) {
            assertThat(r.offer(i)).isTrue();
        }
        assertThat(r.snapshot()).containsExactly(0, 1, 2, 3, 4);
        for (int i = 5; i < 1000; i++) {
            r.offer(i);
        }

        assertThat(r.size()).isEqualTo(10);
        assertThat(r.seen()).isEqualTo(1000);
        assertThat(r.snapshot()).hasSize(10).doesNotHaveDuplicates()
                .allMatch(i -> i >= 0 && i < 1000);
    }

    @Test
    void everyStreamPositionIsEquallyLikelyToBeKept() {
        int capacity = 5;
        int stream = 20;
        int trials = 10_000;
        int[] kept = new int[stream];
        for (int t = 0; t < trials; t++) {
            Reservoir<Integer> r = new Reservoir<>(capacity, t);
            for (int i = 0; i < stream; i++) {
                r.offer(i);
            }
            r.snapshot().forEach(i -> kept[i]++);
        }

        assertUniform(kept, trials * (double) capacity / stream);
    }

    /** Every position kept about equally often: expected 2,500 each here, σ ≈ 43; ≈ 6σ allowed. */
    private static void assertUniform(int[] kept, double expected) {
        assertThat(Arrays.stream(kept).boxed().toList())
                .allSatisfy(k -> assertThat((double) k).isCloseTo(expected, offset(250.0)));
        double chiSquare = 0;
        for (int k : kept) {
            chiSquare += (k - expected) * (k - expected) / expected;
        }
        // 19 degrees of freedom (ignoring the slight dependence); p < 1e-4 above 50.
        assertThat(chiSquare).isLessThan(50);
    }

    @Test
    void removeDropsMatchingItemsAndTheBufferRefillsFromNewOffers() {
        Reservoir<Integer> r = new Reservoir<>(100, 3);
        for (int i = 0; i < 100; i++) {
            r.offer(i);
        }

        int removed = r.remove(i -> i % 2 == 0);

        assertThat(removed).isEqualTo(50);
        assertThat(r.size()).isEqualTo(50);
        assertThat(r.snapshot()).allMatch(i -> i % 2 == 1);
        assertThat(r.seen()).isEqualTo(100);
        assertThat(r.offer(1000)).isTrue();
        assertThat(r.snapshot()).contains(1000).hasSize(51);
    }

    @Test
    void theSameSeedKeepsTheSameItems() {
        Reservoir<Integer> a = new Reservoir<>(7, 99);
        Reservoir<Integer> b = new Reservoir<>(7, 99);
        for (int i = 0; i < 500; i++) {
            a.offer(i);
            b.offer(i);
        }

        assertThat(a.snapshot()).containsExactlyElementsOf(b.snapshot());
    }

    @Test
    void aZeroCapacityReservoirKeepsNothing() {
        Reservoir<String> r = new Reservoir<>(0, 1);

        assertThat(r.offer("x")).isFalse();
        assertThat(r.snapshot()).isEmpty();
        assertThat(r.seen()).isEqualTo(1);
    }

    @Test
    void aReservoirResumedAfterEveryFewOffersStaysAUniformSample() {
        int capacity = 5;
        int stream = 20;
        int trials = 10_000;
        int[] kept = new int[stream];
        for (int t = 0; t < trials; t++) {
            Reservoir<Integer> r = new Reservoir<>(capacity, t);
            for (int i = 0; i < stream; i++) {
                r.offerTracked(i);
                if (i % 3 == 2) {
                    // A restart: only the items (in another order) and the counter survive.
                    java.util.List<Integer> items = new java.util.ArrayList<>(r.snapshot());
                    java.util.Collections.reverse(items);
                    r = Reservoir.resume(capacity, t, r.seen(), items);
                }
            }
            r.snapshot().forEach(i -> kept[i]++);
        }

        assertUniform(kept, trials * (double) capacity / stream);
    }

    @Test
    void offerTrackedNamesTheEvictedItemAndResumeChecksItsState() {
        Reservoir<Integer> r = new Reservoir<>(2, 5);
        assertThat(r.offerTracked(0)).isEqualTo(new Reservoir.Offer<Integer>(true, null));
        r.offerTracked(1);
        java.util.Set<Integer> inBuffer = new java.util.HashSet<>(r.snapshot());
        for (int i = 2; i < 100; i++) {
            Reservoir.Offer<Integer> o = r.offerTracked(i);
            if (o.kept()) {
                assertThat(inBuffer.remove(o.evicted())).isTrue();
                inBuffer.add(i);
            } else {
                assertThat(o.evicted()).isNull();
            }
            assertThat(r.snapshot()).containsExactlyInAnyOrderElementsOf(inBuffer);
        }
        assertThat(r.seen()).isEqualTo(100);

        Reservoir<Integer> resumed = Reservoir.resume(2, 5, 100, r.snapshot());
        assertThat(resumed.seen()).isEqualTo(100);
        assertThat(resumed.snapshot()).isEqualTo(r.snapshot());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Reservoir.resume(1, 5, 100, java.util.List.of(1, 2)))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Reservoir.resume(2, 5, 1, java.util.List.of(1, 2)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fillTakesFreeSlotsWithoutCountingAnOfferAndResetSeenSetsThePopulation() {
        Reservoir<Integer> r = new Reservoir<>(3, 1);
        for (int i = 0; i < 10; i++) {
            r.offer(i);
        }
        r.remove(x -> true);
        assertThat(r.fill(100)).isTrue();
        assertThat(r.fill(101)).isTrue();
        assertThat(r.fill(102)).isTrue();
        assertThat(r.fill(103)).isFalse(); // full
        assertThat(r.seen()).isEqualTo(10);
        assertThat(r.snapshot()).containsExactly(100, 101, 102);

        r.resetSeen(40);
        assertThat(r.seen()).isEqualTo(40);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.resetSeen(2))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

