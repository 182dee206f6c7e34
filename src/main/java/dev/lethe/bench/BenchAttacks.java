package dev.lethe.bench;

import dev.lethe.core.data.SampleSet;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.verify.AttackResult;
import dev.lethe.core.verify.EmbedProbe;
import dev.lethe.core.verify.MembershipInference;
import dev.lethe.core.verify.Rmia;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The benchmark's attacks on one forget set against one holdout: the calibrated loss attack, offline
 * RMIA with reference heads trained once on the original's frozen features (population: the
 * remaining training data, never the forget set or the holdout), and the probe on the frozen layers.
 * The reference probabilities are computed when this is built, before any method changes the
 * original in place.
 */
final class BenchAttacks implements AutoCloseable {

    private final Rmia rmia;
    private final double[][] forgetRefs;
    private final double[][] holdoutRefs;
    private final SampleSet population;
    private final SampleSet forget;
    private final SampleSet holdout;
    private final TrainingRecipe recipe;
    private final long seed;

    /** @param recipe how the original was trained: the reference heads and the probe train the same way */
    BenchAttacks(Network original, SampleSet population, SampleSet forget, SampleSet holdout, TrainingRecipe recipe,
                 long seed) {
        this(original, population, forget, holdout, recipe, seed, Rmia.Settings.defaults().frozenPattern());
    }

    /** @param frozenPattern the reference heads are the layers from the first tensor this matches on */
    BenchAttacks(Network original, SampleSet population, SampleSet forget, SampleSet holdout, TrainingRecipe recipe,
                 long seed, String frozenPattern) {
        Rmia.Settings defaults = Rmia.Settings.defaults();
        this.rmia = Rmia.train(original, population, new Rmia.Settings(defaults.referenceModels(), recipe,
                frozenPattern, defaults.offlineA()), seed);
        this.forgetRefs = rmia.referenceProbabilities(forget);
        this.holdoutRefs = rmia.referenceProbabilities(holdout);
        this.population = population;
        this.forget = forget;
        this.holdout = holdout;
        this.recipe = recipe;
        this.seed = seed;
    }

    double trainSeconds() {
        return rmia.trainSeconds();
    }

    /** loss, rmia and (where the model has frozen layers in front of its dense head) probe. */
    Map<String, AttackResult> measure(Network model, double[] forgetLosses, double[] holdoutLosses) {
        Map<String, AttackResult> out = new LinkedHashMap<>();
        out.put("loss", MembershipInference.lossAttack(forgetLosses, holdoutLosses));
        out.put("rmia", rmia.attack(forgetLosses, forgetRefs, holdoutLosses, holdoutRefs));
        EmbedProbe.attack(model, rmia.settings().frozenPattern(), population, forget, holdout, recipe, seed + 1)
                .ifPresent(p -> out.put("probe", p));
        return out;
    }

    @Override
    public void close() {
        rmia.close();
    }
}
