package dev.lethe.core.unlearn;

import dev.lethe.core.data.SampleSet;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.Predictions;
import dev.lethe.core.verify.MembershipInference;

/**
 * The model's state as the stop rules and the forget objective see it: forget and reference
 * (never-seen) losses and accuracies, and the AUC of a loss-threshold attacker between the two.
 */
public record UnlearningCheck(double forgetAccuracy, double referenceAccuracy,
                              double[] forgetLosses, double[] referenceLosses, double lossAuc) {

    public static UnlearningCheck of(Network network, SampleSet forget, SampleSet reference) {
        return of(network.predict(forget), network.predict(reference));
    }

    public static UnlearningCheck of(Predictions forget, Predictions reference) {
        return new UnlearningCheck(forget.accuracy(), reference.accuracy(), forget.losses(), reference.losses(),
                MembershipInference.lossAuc(forget.losses(), reference.losses()));
    }
}
