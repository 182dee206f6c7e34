package dev.lethe.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.events.ModelVersionEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetirementPolicyTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private static final Duration WEEK = Duration.ofDays(7);

    @TempDir
    Path dir;

    /** Versions 1..n, each published a day after the one before; each the child of the one before. */
    private static List<ModelVersionEvent> lineage(int n) {
        return java.util.stream.LongStream.rangeClosed(1, n).mapToObj(v -> new ModelVersionEvent("m", v,
                v == 1 ? null : v - 1, "file:///m/v" + v, "ab".repeat(32), 1, T0.plus(Duration.ofDays(v - 1)),
                List.of(), 0, new ModelVersionEvent.Metrics(0.9, 0.9, 0.5, 0.5), "cpu")).toList();
    }

    @Test
    void aVersionIsDueOnceItsSuccessorHasBeenCurrentForRetireAfter() {
        List<ModelVersionEvent> five = lineage(5); // v2 published at T0+1d, v3 at +2d, ...
        assertThat(RetirementPolicy.due(five, T0.plus(Duration.ofDays(8)).minusSeconds(1), WEEK, Set.of(), v -> false))
                .isEmpty();
        assertThat(RetirementPolicy.due(five, T0.plus(Duration.ofDays(8)), WEEK, Set.of(), v -> false))
                .containsExactly(1L);
        assertThat(RetirementPolicy.due(five, T0.plus(Duration.ofDays(9)), WEEK, Set.of(), v -> false))
                .containsExactly(1L, 2L);
    }

    @Test
    void theCurrentVersionItsParentPinnedAndRetiredVersionsAreNeverDue() {
        List<ModelVersionEvent> five = lineage(5);
        Instant muchLater = T0.plus(Duration.ofDays(365));
        assertThat(RetirementPolicy.due(five, muchLater, WEEK, Set.of(), v -> false)).containsExactly(1L, 2L, 3L);
        assertThat(RetirementPolicy.due(five, muchLater, WEEK, Set.of(2L), v -> v == 1)).containsExactly(3L);
        assertThat(RetirementPolicy.due(lineage(2), muchLater, WEEK, Set.of(), v -> false)).isEmpty();
        assertThat(RetirementPolicy.due(lineage(1), muchLater, WEEK, Set.of(), v -> false)).isEmpty();
    }

    @Test
    void retiringAVersionDeletesItsArtifactAndManifestAndLeavesAMarker() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        store.write("m", 1, out -> out.write("weights that still encode erased subjects".getBytes(StandardCharsets.UTF_8)));
        ArtifactStore.StoredArtifact kept = store.write("m", 2, out -> out.write("v2".getBytes(StandardCharsets.UTF_8)));

        store.retire("m", 1, T0);
        store.retire("m", 1, T0); // idempotent

        assertThat(store.isRetired("m", 1)).isTrue();
        assertThat(store.isRetired("m", 2)).isFalse();
        try (var files = Files.list(dir.resolve("m"))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("v1.retired", "v2.lethe", "v2.sha256");
        }
        assertThat(Files.readString(dir.resolve("m").resolve("v1.retired"))).isEqualTo(T0 + "\n");
        assertThat(store.readVerified("m", 2, kept.sha256())).isEqualTo("v2".getBytes(StandardCharsets.UTF_8));
    }
}
