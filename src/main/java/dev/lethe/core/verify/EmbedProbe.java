package dev.lethe.core.verify;

import dev.lethe.core.data.SampleSet;
import dev.lethe.core.model.FrozenPrefix;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.SupervisedTraining;
import dev.lethe.core.model.TrainingRecipe;

import java.util.Optional;

/**
 * A membership probe on the frozen layers: what the layers in front of the dense head (the
 * {@code embed} features, ADR 0010) still say about the forget set, whatever the head does.
 *
 * <p>A fresh head is trained on the model's own embed features of a population that never includes
 * the samples judged, then the calibrated loss attack is run on that head's losses, forget set
 * against holdout. If the convolutions memorised the forget set, its features are easier to
 * classify than unseen ones and the probe reads above 0.5. Head-only unlearning leaves these
 * layers bit-identical, so its probe reads what the original's does; this is the number that
 * measures the head-only choice.
 */
public final class EmbedProbe {

    private EmbedProbe() {
    }

    /**
     * @param pattern the unlearned-tensor pattern whose frozen prefix is probed ({@code Linear})
     * @return the probe's attack, or empty where the pattern leaves no frozen layers
     */
    public static Optional<AttackResult> attack(Network model, String pattern, SampleSet population, SampleSet members,
                                                SampleSet nonMembers, TrainingRecipe recipe, long seed) {
        Optional<FrozenPrefix> frozen = FrozenPrefix.of(model, model.parameterSubset(pattern));
        if (frozen.isEmpty()) {
            return Optional.empty();
        }
        try (FrozenPrefix prefix = frozen.get(); Network head = prefix.freshHead(seed)) {
            SupervisedTraining.train(head, prefix.features(population), recipe, seed, null);
            AttackResult loss = MembershipInference.lossAttack(head.predict(prefix.features(members)).losses(),
                    head.predict(prefix.features(nonMembers)).losses());
            return Optional.of(new AttackResult("probe", loss.auc(), loss.aucLow(), loss.aucHigh(),
                    loss.tprAt1pctFpr(), loss.tprAt01pctFpr(), loss.members(), loss.nonMembers()));
        }
    }
}
