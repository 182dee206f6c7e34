package dev.lethe.daemon.rebase;

import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.model.Network;
import dev.lethe.core.rebase.RetrainEvent;
import dev.lethe.core.unlearn.VerifiedUnlearning;
import java.util.List;

/**
 * What became of one retrain, ready to publish.
 *
 * @param staged     the new base version (adopted only), its network in {@code network}
 * @param reapplied  the deletion requests re-applied to the retrain (they completed after its snapshot)
 * @param samples    how many quarantined samples were unlearned from it
 * @param outcome    the gate's run on the re-applied erasures, or null where none ran
 * @param reason     why it was refused (refused only)
 */
public record Rebase(RetrainEvent retrain, boolean adopted, ModelVersionEvent staged, Network network,
        List<String> reapplied, int samples, VerifiedUnlearning.Outcome outcome, String reason) {

    static Rebase adopted(RetrainEvent retrain, ModelVersionEvent staged, Network network, List<String> reapplied,
            int samples, VerifiedUnlearning.Outcome outcome) {
        return new Rebase(retrain, true, staged, network, List.copyOf(reapplied), samples, outcome, null);
    }

    static Rebase refused(RetrainEvent retrain, String reason, VerifiedUnlearning.Outcome outcome) {
        return new Rebase(retrain, false, null, null, List.of(), 0, outcome, reason);
    }

    /** A file name for the retrain's artifact that does not depend on what the id contains. */
    static String fileName(RetrainEvent retrain) {
        return "retrain-" + dev.lethe.core.events.Sha256Hex.ofUtf8(retrain.id()).substring(0, 24) + ".artifact";
    }
}
