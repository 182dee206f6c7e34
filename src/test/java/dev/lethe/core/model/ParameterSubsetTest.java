package dev.lethe.core.model;

import dev.lethe.core.model.Network.ParameterSlice;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParameterSubsetTest {

    private static final List<ParameterSlice> LAYOUT = List.of(
            new ParameterSlice("01Conv2d_weight", 0, 4), new ParameterSlice("01Conv2d_bias", 4, 2),
            new ParameterSlice("05Linear_weight", 6, 3), new ParameterSlice("05Linear_bias", 9, 1));

    @Test
    void aPatternSelectsTheTensorsWhoseNamesContainAMatch() {
        ParameterSubset s = ParameterSubset.matching(LAYOUT, "Linear");
        assertThat(s.names()).containsExactly("05Linear_weight", "05Linear_bias");
        assertThat(s.size()).isEqualTo(4);
        assertThat(s.fullSize()).isEqualTo(10);
        assertThat(s.isAll()).isFalse();
        assertThat(s.compactLayout()).containsExactly(new ParameterSlice("05Linear_weight", 0, 3),
                new ParameterSlice("05Linear_bias", 3, 1));
    }

    @Test
    void gatherAndScatterMoveTheSelectedCoordinatesOnly() {
        ParameterSubset s = ParameterSubset.matching(LAYOUT, "_bias$");
        float[] full = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertThat(s.gather(full)).containsExactly(4, 5, 9);
        assertThat(s.scatter(new float[]{1, 2, 3})).containsExactly(0, 0, 0, 0, 1, 2, 0, 0, 0, 3);
    }

    @Test
    void aPatternThatSelectsNothingListsTheNames() {
        assertThatThrownBy(() -> ParameterSubset.matching(LAYOUT, "Dense"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("matches none").hasMessageContaining("05Linear_weight");
    }

    @Test
    void anInvalidPatternIsAnIllegalArgument() {
        assertThatThrownBy(() -> ParameterSubset.matching(LAYOUT, "Linear("))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid parameter pattern");
    }

    @Test
    void noPatternSelectsEverything() {
        assertThat(ParameterSubset.matching(LAYOUT, null).isAll()).isTrue();
        assertThat(ParameterSubset.all(LAYOUT).compactLayout()).isEqualTo(LAYOUT);
    }
}
