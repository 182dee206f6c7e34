package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

/** The command's wiring; the calibration itself runs in {@code GateCalibrationTest} (PyTorch loads once per JVM). */
@QuarkusMainTest
class GateCalibrationCommandTest {

    @Test
    @Launch({"gate-calibration", "--help"})
    void helpNamesTheCasesAndTheJsonOutput(LaunchResult result) {
        assertThat(result.getOutput()).contains("--json", "--draws", "--reference-models", "--forget-pool");
    }
}
