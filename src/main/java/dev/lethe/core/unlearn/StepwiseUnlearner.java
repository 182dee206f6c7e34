package dev.lethe.core.unlearn;

import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.model.Adam;
import dev.lethe.core.model.Network;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The loop every gradient-based method shares: per step, draw a retain batch, let the method
 * compute its update, apply θ ← θ − lr·update, check the model against the stop rule.
 */
public abstract class StepwiseUnlearner implements Unlearner {

    protected final UnlearningSettings settings;

    protected StepwiseUnlearner(UnlearningSettings settings) {
        this.settings = settings;
    }

    public UnlearningSettings settings() {
        return settings;
    }

    /** The update for one step, given the current check; θ ← θ − lr·update. */
    protected abstract float[] update(Network network, Step step);

    /** What a method needs for one step. Adam state lives here, one per term. */
    protected final class Step {
        private final UnlearningTask task;
        private final UnlearningCheck check;
        private final SampleSet retainBatch;
        private final Adam retainAdam;
        private final Adam forgetAdam;

        Step(UnlearningTask task, UnlearningCheck check, SampleSet retainBatch, Adam retainAdam, Adam forgetAdam) {
            this.task = task;
            this.check = check;
            this.retainBatch = retainBatch;
            this.retainAdam = retainAdam;
            this.forgetAdam = forgetAdam;
        }

        public SampleSet retainBatch() {
            return retainBatch;
        }

        /** The gradient whose ascent forgets, under the configured objective. */
        public float[] forgetGradient(Network network) {
            return ForgetGradient.of(network, task.forget(), check, settings.objective());
        }

        public float[] normaliseRetain(float[] g) {
            return settings.adam() ? retainAdam.direction(g) : g;
        }

        public float[] normaliseForget(float[] g) {
            return settings.adam() ? forgetAdam.direction(g) : g;
        }
    }

    @Override
    public UnlearningResult unlearn(Network network, UnlearningTask task, StepObserver observer) {
        long start = System.nanoTime();
        long observed = 0;
        RetainBatches batches = new RetainBatches(task.retain(), settings.retainBatchSize(), task.seed());
        Adam retainAdam = new Adam(network.parameterCount());
        Adam forgetAdam = new Adam(network.parameterCount());
        UnlearningCheck check = UnlearningCheck.of(network, task.forget(), task.reference());
        int steps = 0;
        String reason = "budget";
        if (settings.stopRule().satisfied(check)) {
            reason = settings.stopRule().name().toLowerCase(java.util.Locale.ROOT);
        } else {
            while (steps < settings.maxSteps()) {
                steps++;
                float[] update = update(network, new Step(task, check, batches.next(), retainAdam, forgetAdam));
                network.step(update, settings.learningRate());
                check = UnlearningCheck.of(network, task.forget(), task.reference());
                long t = System.nanoTime();
                observer.afterStep(steps, network);
                observed += System.nanoTime() - t;
                if (settings.stopRule().satisfied(check)) {
                    reason = settings.stopRule().name().toLowerCase(java.util.Locale.ROOT);
                    break;
                }
            }
        }
        double seconds = (System.nanoTime() - start - observed) / 1e9;
        return new UnlearningResult(name(), steps, reason, seconds, check);
    }

    /** Cycles through the retain buffer in seeded random order, B samples at a time. */
    static final class RetainBatches {
        private final SampleSet retain;
        private final int size;
        private final Random random;
        private final List<Sample> order;
        private int position;

        RetainBatches(SampleSet retain, int size, long seed) {
            if (retain.isEmpty()) {
                throw new IllegalArgumentException("the retain buffer is empty");
            }
            this.retain = retain;
            this.size = Math.min(size, retain.size());
            this.random = new Random(seed);
            this.order = new ArrayList<>(retain.samples());
            Collections.shuffle(order, random);
        }

        SampleSet next() {
            List<Sample> batch = new ArrayList<>(size);
            while (batch.size() < size) {
                if (position == order.size()) {
                    Collections.shuffle(order, random);
                    position = 0;
                }
                batch.add(order.get(position++));
            }
            return retain.with(batch);
        }
    }

    /** Uniform weights 1/n, for mean-loss gradients. */
    static double[] uniform(int n) {
        double[] w = new double[n];
        Arrays.fill(w, 1.0 / n);
        return w;
    }
}
