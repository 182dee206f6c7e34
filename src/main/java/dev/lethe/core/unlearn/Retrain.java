package dev.lethe.core.unlearn;

import dev.lethe.core.data.SampleSet;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.SupervisedTraining;
import dev.lethe.core.model.TrainingRecipe;

import java.util.function.Consumer;

/**
 * The oracle: train from scratch, with the original recipe, on the training data without the
 * forget set. Exact but needs the full remaining training set and the full training time, which
 * is what Lethe exists to avoid.
 */
public final class Retrain implements Unlearner {

    private final SampleSet remaining;
    private final TrainingRecipe recipe;
    private final long initSeed;
    private final Consumer<String> progress;

    public Retrain(SampleSet remaining, TrainingRecipe recipe, long initSeed, Consumer<String> progress) {
        this.remaining = remaining;
        this.recipe = recipe;
        this.initSeed = initSeed;
        this.progress = progress;
    }

    @Override
    public String name() {
        return "retrain";
    }

    @Override
    public UnlearningResult unlearn(Network network, UnlearningTask task, StepObserver observer) {
        long start = System.nanoTime();
        try (Network fresh = Network.create(network.architecture(), network.inputShape(),
                network.numClasses(), network.device(), initSeed)) {
            SupervisedTraining.Summary summary = SupervisedTraining.train(fresh, remaining, recipe, initSeed, progress);
            network.setParameters(fresh.parameters());
            double seconds = (System.nanoTime() - start) / 1e9;
            UnlearningCheck check = UnlearningCheck.of(network, task.forget(), task.reference());
            return new UnlearningResult(name(), summary.epochs(), "trained", seconds, check);
        }
    }
}
