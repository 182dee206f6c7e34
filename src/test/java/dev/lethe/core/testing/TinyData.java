package dev.lethe.core.testing;

import dev.lethe.core.data.SampleSet;
import dev.lethe.core.data.Subjects;
import dev.lethe.core.data.SyntheticData;

/** Small generated sample sets for tests that need real DJL passes but no real data. */
public final class TinyData {

    private TinyData() {
    }

    public static SampleSet samples(int n, long seed) {
        return Subjects.assign(SyntheticData.generate(n, seed), "s" + seed, 2, 6, seed);
    }
}
