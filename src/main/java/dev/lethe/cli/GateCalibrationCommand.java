package dev.lethe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lethe.bench.GateCalibration;
import dev.lethe.core.data.FashionMnist;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.unlearn.VerifiedUnlearning;
import dev.lethe.core.verify.Rmia;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code lethe gate-calibration}: the calibrated gate's false-pass and false-fail rates (ADR 0012). */
@Command(name = "gate-calibration", mixinStandardHelpOptions = true,
        description = "Measure how often the verification gate passes a model that forgot nothing and refuses one "
                + "retrained without the forget set, for 1 subject, 5 subjects and 200 samples.")
public class GateCalibrationCommand implements Callable<Integer> {

    @Option(names = "--data-dir", description = "directory with the Fashion-MNIST IDX files (default: ${DEFAULT-VALUE})")
    Path dataDir = FashionMnist.DEFAULT_DIR;

    @Option(names = "--train-size", defaultValue = "2000", description = "training images (default: ${DEFAULT-VALUE})")
    int trainSize;

    @Option(names = "--forget-pool", defaultValue = "600", description = "samples (whole subjects) forget sets are drawn from (default: ${DEFAULT-VALUE})")
    int poolSize;

    @Option(names = "--holdout-size", defaultValue = "1000", description = "never-trained-on images, halved into reference and verification (default: ${DEFAULT-VALUE})")
    int holdoutSize;

    @Option(names = "--retain-size", defaultValue = "500", description = "retain buffer (default: ${DEFAULT-VALUE})")
    int retainSize;

    @Option(names = "--draws", defaultValue = "200", description = "forget sets per case (default: ${DEFAULT-VALUE})")
    int draws;

    @Option(names = "--refresh-every", defaultValue = "25", description = "draws per set of reference models (default: ${DEFAULT-VALUE})")
    int refreshEvery;

    @Option(names = "--reference-models", defaultValue = "8", description = "RMIA reference heads (default: ${DEFAULT-VALUE})")
    int referenceModels;

    @Option(names = "--z", defaultValue = "1.96", description = "thresholds at the references' mean plus z spreads (default: ${DEFAULT-VALUE})")
    double z;

    @Option(names = "--epochs", defaultValue = "40", description = "max epochs of the original, the retrained model and each reference head (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--seed", defaultValue = "201", description = "(default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", description = "write the result as JSON to this file")
    Path json;

    @Override
    public Integer call() throws Exception {
        TrainingRecipe defaults = TrainingRecipe.defaults();
        TrainingRecipe recipe = new TrainingRecipe(epochs, defaults.batchSize(), defaults.learningRate(),
                defaults.targetLoss());
        Rmia.Settings references = new Rmia.Settings(referenceModels, recipe, "Linear",
                Rmia.Settings.defaults().offlineA());
        VerifiedUnlearning.Gate gate = VerifiedUnlearning.Gate.calibrated(0.05, 0.05, z, references);
        GateCalibration.Settings settings = new GateCalibration.Settings(dataDir, trainSize, poolSize, holdoutSize,
                retainSize, draws, refreshEvery, gate, recipe, seed);
        GateCalibration.Report report = new GateCalibration(settings, System.err::println).run();
        System.out.println("| forget set | samples (min–max) | model | draws | pass | fail | insufficient evidence |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (GateCalibration.Case c : report.cases()) {
            System.out.println(String.format(Locale.ROOT, "| %d subject(s) | %d (%d–%d) | %s | %d | %.3f | %.3f | %.3f |",
                    c.subjects(), c.samples(), c.minSamples(), c.maxSamples(), c.model(), c.draws(), c.passRate(),
                    c.failRate(), c.insufficientRate()));
        }
        if (json != null) {
            Path parent = json.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.writeString(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(GateCalibration.toJson(report)) + "\n");
        }
        return 0;
    }
}
