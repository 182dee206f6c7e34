package dev.lethe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.data.FashionMnist;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.unlearn.VerifiedUnlearning;
import dev.lethe.core.verify.Rmia;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class GateCalibrationTest {

    @Test
    @SuppressWarnings("unchecked")
    void aSmallCalibrationOnRealDataReportsEveryCaseForBothModelsAndNeverPassesTheOriginal() throws Exception {
        Assumptions.assumeTrue(FashionMnist.isAvailable(FashionMnist.DEFAULT_DIR), "real Fashion-MNIST is not installed");
        TrainingRecipe recipe = new TrainingRecipe(8, 32, 1e-3, 1e-4);
        VerifiedUnlearning.Gate gate = VerifiedUnlearning.Gate.calibrated(0.05, 0.05, 1.96,
                new Rmia.Settings(2, recipe, "Linear", 0.3));
        GateCalibration.Settings settings = new GateCalibration.Settings(FashionMnist.DEFAULT_DIR, 400, 210, 200, 60,
                4, 2, gate, recipe, 5);
        GateCalibration.Report report = new GateCalibration(settings, line -> { }).run();

        List<Map<String, Object>> cases = (List<Map<String, Object>>) GateCalibration.toJson(report).get("cases");
        assertThat(cases).hasSize(6);
        Set<String> seen = new HashSet<>();
        for (Map<String, Object> c : cases) {
            seen.add(c.get("subjects") + "/" + c.get("model"));
            assertThat(c.get("draws")).isEqualTo(4);
            double sum = (double) c.get("passRate") + (double) c.get("failRate")
                    + (double) c.get("insufficientEvidenceRate");
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
            // Nothing unlearned is never passed: an attack sees it, or none had evidence to judge by.
            if (c.get("model").equals("original")) {
                assertThat((double) c.get("passRate")).isZero();
            }
        }
        assertThat(seen).contains("1/original", "1/retrained", "5/original", "5/retrained");
        assertThat((int) cases.get(4).get("samples")).isGreaterThanOrEqualTo(200);
    }
}
