package dev.lethe.core.unlearn;

import dev.lethe.core.data.SampleSet;
import dev.lethe.core.model.Network;
import dev.lethe.core.verify.MembershipInference;

/**
 * The model's state as the stop rules and the forget objective see it: forget and reference
 * (never-seen) losses and accuracies, and the AUC of a loss-threshold attacker between the two.
 */
public record UnlearningCheck(double forgetAccuracy, double referenceAccuracy,
                              double[] forgetLosses, double[] referenceLosses, double lossAuc) {

    public static UnlearningCheck of(Network network, SampleSet forget, SampleSet reference) {
        Network.Predictions f = network.predict(forget);
        Network.Predictions r = network.predict(reference);
        return new UnlearningCheck(f.accuracy(), r.accuracy(), f.losses(), r.losses(),
                MembershipInference.lossAuc(f.losses(), r.losses()));
    }
}
