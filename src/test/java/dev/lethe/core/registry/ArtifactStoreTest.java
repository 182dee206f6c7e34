package dev.lethe.core.registry;

import ai.djl.Device;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.NetworkCodec;
import dev.lethe.core.testing.TinyData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactStoreTest {

    @TempDir
    Path dir;

    @Test
    void aWrittenNetworkLoadsBackVerifiedWithTheSameWeightsAndPredictions() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        try (Network original = Network.create(Architecture.CNN, new int[]{1, 28, 28}, 10, Device.cpu(), 9)) {
            ArtifactStore.StoredArtifact a = store.write("fashion", 1, out -> NetworkCodec.write(original, out));
            assertThat(a.sha256()).hasSize(64);
            assertThat(a.sizeBytes()).isEqualTo(Files.size(a.path())).isGreaterThan(46_730L * 4);
            assertThat(Files.readString(dir.resolve("fashion/v1.sha256"))).startsWith(a.sha256() + "  v1.lethe");
            try (Network loaded = NetworkCodec.read(store.openVerified("fashion", 1, a.sha256()), Device.cpu())) {
                assertThat(loaded.parameters()).containsExactly(original.parameters());
                var sample = TinyData.samples(20, 1);
                assertThat(loaded.predict(sample).losses()).containsExactly(original.predict(sample).losses());
            }
        }
    }

    @Test
    void anArtifactWithOneFlippedByteIsRefused() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        ArtifactStore.StoredArtifact a = store.write("m", 3, out -> out.write("weights".getBytes(StandardCharsets.UTF_8)));
        byte[] bytes = Files.readAllBytes(a.path());
        bytes[2] ^= 0x01;
        Files.write(a.path(), bytes);
        assertThatThrownBy(() -> store.readVerified("m", 3, a.sha256()))
                .isInstanceOf(ArtifactStore.IntegrityException.class)
                .hasMessageContaining("refusing");
    }

    @Test
    void aFailedWriteLeavesNoArtifactAndNoTemporaryFile() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        assertThatThrownBy(() -> store.write("m", 1, out -> {
            out.write(new byte[100]);
            throw new IOException("disk full");
        })).hasMessage("disk full");
        try (var files = Files.list(dir.resolve("m"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void artifactsNoPublishedEventNamesAreCleanedUp() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        store.write("m", 1, out -> out.write(1));
        store.write("m", 2, out -> out.write(2));
        Files.writeString(dir.resolve("m/v3.123.tmp"), "half");
        int removed = store.removeUnpublished("m", Set.of(1L));
        assertThat(removed).isEqualTo(3); // v2.lethe, v2.sha256, the temp file
        assertThat(store.artifactPath("m", 1)).exists();
        assertThat(store.artifactPath("m", 2)).doesNotExist();
    }

    @Test
    void modelNamesThatCouldEscapeTheRegistryAreRejected() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        assertThatThrownBy(() -> store.artifactPath("../etc", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.artifactPath("m", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bytesThatAreNotAnArtifactAreRefusedWithAReason() {
        assertThatThrownBy(() -> NetworkCodec.read(new java.io.ByteArrayInputStream(new byte[]{1, 2, 3, 4, 5, 6, 7, 8}), Device.cpu()))
                .isInstanceOf(IOException.class).hasMessageContaining("magic");
    }
}
