package dev.lethe.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DjlModelFilesTest {

    private static final int[] SHAPE = {1, 28, 28};

    @TempDir
    Path dir;

    @Test
    void aModelSavedWithDjlComesBackWithTheSameParameters() throws Exception {
        float[] saved;
        try (Network trained = Network.create(Architecture.CNN, SHAPE, 10, Device.cpu(), 11);
                Model model = Model.newInstance("fashion")) {
            saved = trained.parameters();
            model.setBlock(trained.block());
            model.save(dir, "fashion");
        }
        Path file = dir.resolve("fashion-0000.params");
        assertThat(DjlModelFiles.isDjlParams(file)).isTrue();

        try (Network read = DjlModelFiles.read(file, Architecture.CNN, SHAPE, 10, Device.cpu())) {
            assertThat(read.parameters()).containsExactly(saved);
        }
    }

    @Test
    void aFileOfAnotherArchitectureIsRefusedWithTheReason() throws Exception {
        try (Network mlp = Network.create(Architecture.MLP, SHAPE, 10, Device.cpu(), 1);
                Model model = Model.newInstance("other")) {
            model.setBlock(mlp.block());
            model.save(dir, "other");
        }
        assertThatThrownBy(() -> DjlModelFiles.read(dir.resolve("other-0000.params"), Architecture.CNN, SHAPE, 10,
                Device.cpu())).isInstanceOf(IOException.class).hasMessageContaining("cannot read");
    }

    @Test
    void aFileThatIsNotDjlParamsIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("model.pt"), "not djl");
        assertThat(DjlModelFiles.isDjlParams(file)).isFalse();
        assertThatThrownBy(() -> DjlModelFiles.read(file, Architecture.CNN, SHAPE, 10, Device.cpu()))
                .isInstanceOf(IOException.class).hasMessageContaining("not a DJL parameter file");
    }
}
