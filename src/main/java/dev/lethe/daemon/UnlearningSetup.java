package dev.lethe.daemon;

import dev.lethe.core.model.Network;
import dev.lethe.core.model.ParameterSubset;
import dev.lethe.core.model.TorchScriptSplit;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.unlearn.ForgetObjective;
import dev.lethe.core.unlearn.OrthoGrad;
import dev.lethe.core.unlearn.ProjectionMode;
import dev.lethe.core.unlearn.StopRule;
import dev.lethe.core.unlearn.UnlearningSettings;
import dev.lethe.core.unlearn.VerifiedUnlearning;
import dev.lethe.core.verify.Rmia;
import dev.lethe.daemon.config.LetheConfig;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * How this daemon unlearns and checks, from its configuration: the unlearner, the verification
 * gate, and a start-up check that the parameter pattern fits the model.
 */
final class UnlearningSetup {

    private static final Logger LOG = Logger.getLogger(UnlearningSetup.class);

    private UnlearningSetup() {
    }

    static VerifiedUnlearning.Gate gate(LetheConfig.Verify verify, String unlearningPattern) {
        return switch (verify.gate()) {
            case "calibrated" -> VerifiedUnlearning.Gate.calibrated(verify.forgetAccuracyTolerance(),
                    verify.maxAccuracyDrop(), verify.z(), new Rmia.Settings(verify.referenceModels(),
                            TrainingRecipe.defaults(), verify.referencePattern().orElse(unlearningPattern),
                            Rmia.Settings.defaults().offlineA()));
            case "absolute" -> {
                LOG.warnf("lethe.verify.gate=absolute: erasures pass on a fixed attack threshold (%.3f), not a"
                        + " calibrated one; for tests and demos only", verify.miaThreshold());
                yield VerifiedUnlearning.Gate.absolute(verify.miaThreshold(), verify.forgetAccuracyTolerance(),
                        verify.maxAccuracyDrop());
            }
            default -> throw new IllegalArgumentException("lethe.verify.gate must be calibrated or absolute, was "
                    + verify.gate());
        };
    }

    /**
     * Checks the parameter pattern against the model's tensors before any request arrives (a
     * pattern that selects nothing would fail every batch) and says how unlearning will run.
     *
     * @return the path's name, as version events record it
     */
    static String describeUnlearning(LetheConfig config, Network model) {
        ParameterSubset subset;
        try {
            subset = model.parameterSubset(config.unlearning().parameters());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("lethe.unlearning.parameters does not fit model " + config.model().name()
                    + ": " + e.getMessage(), e);
        }
        TorchScriptSplit.Path how = TorchScriptSplit.pathOf(model, subset);
        if (model.isTorchScript() && how != TorchScriptSplit.Path.EMBED_DENSE_HEAD
                && "calibrated".equals(config.verify().gate())) {
            // Reference models are fresh heads of the unlearned layers: Lethe can build those only
            // for a dense classify it has rebuilt, never for an opaque module.
            throw new IllegalStateException("the calibrated gate trains reference heads like the unlearned layers, which"
                    + " needs a TorchScript module exporting embed/classify with a Linear(+ReLU) classify and"
                    + " lethe.unlearning.parameters inside it (this model takes the " + how + " path); export those"
                    + " methods or set lethe.verify.gate=absolute");
        }
        String path = how.name().toLowerCase(Locale.ROOT).replace('_', '-');
        LOG.infof("model %s (%s, %d tensors): unlearning %s, %s path", config.model().name(), model.describe(),
                model.layout().size(), subset, path);
        return path;
    }

    static OrthoGrad unlearner(LetheConfig.Unlearning u) {
        UnlearningSettings settings = new UnlearningSettings(u.maxSteps(), u.learningRate(), u.alpha(), u.retainBatch(),
                true, ForgetObjective.parse(u.objective()), StopRule.parse(u.stop()), u.anchor());
        ProjectionMode mode = switch (u.projection().trim().toLowerCase(Locale.ROOT)) {
            case "global" -> ProjectionMode.GLOBAL;
            case "per-tensor", "per_tensor" -> ProjectionMode.PER_TENSOR;
            default -> throw new IllegalArgumentException("lethe.unlearning.projection must be global or per-tensor, was "
                    + u.projection());
        };
        return new OrthoGrad(settings, mode, u.parameters());
    }
}
