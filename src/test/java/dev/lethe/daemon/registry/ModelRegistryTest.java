package dev.lethe.daemon.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Network;
import dev.lethe.core.registry.ArtifactStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {

    private static final ModelVersionEvent.Metrics NONE =
            new ModelVersionEvent.Metrics(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    @TempDir
    Path dir;

    private static Network network(long seed) {
        return Network.create(Architecture.CNN, new int[] {1, 28, 28}, 10, Device.cpu(), seed);
    }

    private static Path file(ModelVersionEvent v) {
        return Path.of(java.net.URI.create(v.artifactUri()));
    }

    @Test
    void aStagedVersionBecomesCurrentOnlyWhenCommittedAndIsLinkedToItsParent() throws Exception {
        try (ModelRegistry registry = new ModelRegistry("m", dir, Device.cpu())) {
            Network first = network(1);
            ModelVersionEvent v1 = registry.stage(first, List.of(), 0, NONE, Instant.now());
            assertThat(registry.hasVersion()).isFalse();
            registry.commit(v1, first);

            Network second = network(2);
            ModelVersionEvent v2 = registry.stage(second, List.of("r1"), 7, NONE, Instant.now());
            assertThat(v2.version()).isEqualTo(2);
            assertThat(v2.parentVersion()).isEqualTo(1L);
            assertThat(registry.current()).isSameAs(first);
            registry.commit(v2, second);
            assertThat(registry.current()).isSameAs(second);
            assertThat(registry.versions()).extracting(ModelVersionEvent::version).containsExactly(1L, 2L);
        }
    }

    @Test
    void recoveryLoadsTheLastPublishedVersionAndDeletesAnArtifactThatWasNeverPublished() throws Exception {
        ModelVersionEvent v1;
        ModelVersionEvent unpublished;
        float[] published;
        try (ModelRegistry registry = new ModelRegistry("m", dir, Device.cpu())) {
            Network first = network(1);
            published = first.parameters();
            v1 = registry.stage(first, List.of(), 0, NONE, Instant.now());
            registry.commit(v1, first);
            try (Network second = network(2)) {
                unpublished = registry.stage(second, List.of("r1"), 7, NONE, Instant.now()); // crash before publish
            }
        }
        assertThat(file(unpublished)).exists();

        try (ModelRegistry restarted = new ModelRegistry("m", dir, Device.cpu())) {
            restarted.recover(List.of(v1));
            assertThat(restarted.current().parameters()).containsExactly(published);
            assertThat(restarted.nextVersion()).isEqualTo(2);
        }
        assertThat(file(unpublished)).doesNotExist();
    }

    @Test
    void anArtifactWithOneFlippedByteIsRefusedOnLoad() throws Exception {
        ModelVersionEvent v1;
        try (ModelRegistry registry = new ModelRegistry("m", dir, Device.cpu())) {
            Network first = network(1);
            v1 = registry.stage(first, List.of(), 0, NONE, Instant.now());
            registry.commit(v1, first);
        }
        byte[] bytes = Files.readAllBytes(file(v1));
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(file(v1), bytes);

        try (ModelRegistry restarted = new ModelRegistry("m", dir, Device.cpu())) {
            assertThatThrownBy(() -> restarted.recover(List.of(v1)))
                    .isInstanceOf(ArtifactStore.IntegrityException.class).hasMessageContaining("refusing to load");
            assertThat(restarted.isLoaded()).isFalse();
        }
    }
}
