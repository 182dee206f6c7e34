package dev.lethe.core.unlearn;

import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.gradients.Vectors;
import dev.lethe.core.model.Adam;
import dev.lethe.core.model.FrozenPrefix;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.ParameterSubset;
import dev.lethe.core.model.Predictions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The loop every gradient-based method shares: per step, draw a retain batch, let the method
 * compute its update, apply θ ← θ − lr·update, check the model against the stop rule.
 *
 * <p>With a parameter pattern, only the matching tensors change. The layers in front of the first
 * matching one are then a fixed function: each sample goes through them once, and the steps run
 * on the rest of the model ({@link FrozenPrefix}).
 */
public abstract class StepwiseUnlearner implements Unlearner {

    /**
     * Steps between re-evaluations of the reference set when there is no anchor. The forget set is
     * evaluated every step (the loss-matching weights need it); the reference set is larger and
     * moves slowly, and evaluating it every step cost as much as the per-sample gradients. With an
     * anchor no separate pass is needed: the anchor's forward pass over its 64 reference images per
     * step refreshes their losses (each image every ⌈500/64⌉ = 8 steps), which saved the 12 ms per
     * step that re-evaluating 500 images every fourth step cost. On a frozen prefix's head the
     * anchor takes every reference image each step, so every loss is fresh.
     */
    static final int REFERENCE_EVERY = 4;

    /**
     * Steps over which the learning rate ramps up linearly. Adam's first bias-corrected steps are
     * sign steps of full length on every coordinate; on a converged model, whose retain gradients
     * are mostly noise, they cost 15 points of test accuracy within four steps before recovering.
     */
    static final int WARMUP_STEPS = 10;

    protected final UnlearningSettings settings;
    private final String parameterPattern;

    protected StepwiseUnlearner(UnlearningSettings settings) {
        this(settings, null);
    }

    /**
     * @param parameterPattern regex over parameter names (see {@link Network#parameterSubset}); only
     *                         matching tensors are unlearned; null or blank: all
     */
    protected StepwiseUnlearner(UnlearningSettings settings, String parameterPattern) {
        this.settings = settings;
        this.parameterPattern = parameterPattern == null || parameterPattern.isBlank() ? null : parameterPattern;
    }

    public UnlearningSettings settings() {
        return settings;
    }

    /** The parameter pattern, or null when all parameters are unlearned. */
    public String parameterPattern() {
        return parameterPattern;
    }

    /** The update for one step; θ ← θ − lr·update. */
    protected abstract float[] update(Network network, Step step);

    /** Whether {@link Step#forgetGradient()} is used; if not, its backward pass is skipped. */
    protected boolean usesForgetGradient() {
        return true;
    }

    /**
     * Whether the method descends a retain term ({@link Step#normaliseRetain}); only then does the
     * function anchor, which rides inside that term, apply (and refresh the reference losses).
     */
    protected boolean usesRetainTerm() {
        return true;
    }

    /** What a method needs for one step. Adam state lives here, one per term. */
    protected final class Step {
        private final SampleSet retainBatch;
        private final float[] forgetGradient;
        private final Adam retainAdam;
        private final Adam forgetAdam;
        private final Anchor anchor;

        Step(SampleSet retainBatch, float[] forgetGradient, Adam retainAdam, Adam forgetAdam, Anchor anchor) {
            this.retainBatch = retainBatch;
            this.forgetGradient = forgetGradient;
            this.retainAdam = retainAdam;
            this.forgetAdam = forgetAdam;
            this.anchor = anchor;
        }

        public SampleSet retainBatch() {
            return retainBatch;
        }

        /** The gradient whose ascent forgets, under the configured objective, at the current θ. */
        public float[] forgetGradient() {
            return forgetGradient;
        }

        /**
         * The retain direction from the retain gradient g: with an anchor, g + λ·∇KL(original ‖ θ)
         * on the next reference batch is what gets descended (and normalised).
         */
        public float[] normaliseRetain(float[] g) {
            float[] retain = anchor == null ? g : Vectors.combine(1, g, settings.anchor(), anchor.nextGradient());
            return settings.adam() ? retainAdam.direction(retain) : retain;
        }

        public float[] normaliseForget(float[] g) {
            return settings.adam() ? forgetAdam.direction(g) : g;
        }
    }

    /**
     * With a parameter pattern that leaves the first layers untouched, the run works on the layers
     * after them, fed with each sample's activations computed once; the time includes that pass.
     * The observer sees the full model, updated before each call.
     */
    @Override
    public UnlearningResult unlearn(Network network, UnlearningTask task, StepObserver observer) {
        long start = System.nanoTime();
        java.util.Optional<FrozenPrefix> frozen = FrozenPrefix.of(network, network.parameterSubset(parameterPattern));
        if (frozen.isEmpty()) {
            return run(network, task, observer, Anchor.BATCH);
        }
        try (FrozenPrefix prefix = frozen.get()) {
            UnlearningTask onFeatures = new UnlearningTask(prefix.features(task.forget()),
                    prefix.features(task.retain()), prefix.features(task.reference()), task.seed());
            double preparation = (System.nanoTime() - start) / 1e9;
            // On the head a pass over every reference image costs a few milliseconds, so the anchor
            // takes them all each step: no sampling noise, and the stop rule reads fresh losses.
            UnlearningResult r = run(prefix.head(), onFeatures, (step, head) -> {
                prefix.writeBack();
                observer.afterStep(step, network);
            }, onFeatures.reference().size());
            long t = System.nanoTime();
            prefix.writeBack();
            double seconds = preparation + r.seconds() + (System.nanoTime() - t) / 1e9;
            return new UnlearningResult(r.method(), r.steps(), r.stopReason(), seconds, r.last());
        }
    }

    /**
     * Each iteration starts with one forward pass over the forget set: its losses decide whether
     * to stop and, if not, weigh the forget objective, whose gradient comes from the same pass.
     */
    private UnlearningResult run(Network network, UnlearningTask task, StepObserver observer, int anchorBatch) {
        long start = System.nanoTime();
        // Methods whose update covers every parameter are held to the pattern here.
        ParameterSubset subset = network.parameterSubset(parameterPattern);
        long observed = 0;
        RetainBatches batches = new RetainBatches(task.retain(), settings.retainBatchSize(), task.seed());
        Adam retainAdam = new Adam(network.parameterCount());
        Adam forgetAdam = new Adam(network.parameterCount());
        // One pass over the reference gives the stop rule its losses and the anchor its targets.
        float[][] originalOutputs = settings.anchor() > 0 && usesRetainTerm() ? new float[task.reference().size()][] : null;
        Predictions reference = network.predict(task.reference(), originalOutputs);
        Anchor anchor = originalOutputs == null ? null
                : new Anchor(network, task.reference(), reference, originalOutputs, task.seed(), anchorBatch);
        // Loss-matching targets stay anchored to what unseen data looked like before unlearning:
        // targets that followed the current model would chase its own rising holdout loss.
        Predictions targetReference = reference;
        int steps = 0;
        String reason;
        UnlearningCheck[] check = new UnlearningCheck[1];
        while (true) {
            Predictions referenceNow = anchor == null ? reference : anchor.referencePredictions();
            boolean budgetLeft = steps < settings.maxSteps();
            Network.PassResult pass = network.predictThenGradient(task.forget(), forgetPredictions -> {
                check[0] = UnlearningCheck.of(forgetPredictions, referenceNow);
                if (!budgetLeft || settings.stopRule().satisfied(check[0]) || !usesForgetGradient()) {
                    return null;
                }
                return ForgetGradient.weights(UnlearningCheck.of(forgetPredictions, targetReference),
                        settings.objective());
            });
            if (!budgetLeft) {
                reason = "budget";
                break;
            }
            if (settings.stopRule().satisfied(check[0])) {
                reason = settings.stopRule().name().toLowerCase(java.util.Locale.ROOT);
                break;
            }
            steps++;
            float[] update = update(network, new Step(batches.next(), pass.gradient(), retainAdam, forgetAdam, anchor));
            if (!subset.isAll()) {
                update = subset.scatter(subset.gather(update));
            }
            network.step(update, settings.learningRate() * Math.min(1.0, (double) steps / WARMUP_STEPS));
            if (anchor == null && steps % REFERENCE_EVERY == 0) {
                reference = network.predict(task.reference());
            }
            long t = System.nanoTime();
            observer.afterStep(steps, network);
            observed += System.nanoTime() - t;
        }
        double seconds = (System.nanoTime() - start - observed) / 1e9;
        return new UnlearningResult(name(), steps, reason, seconds, check[0]);
    }

    /**
     * Holds the model's function on never-seen data where it was: the original's class
     * probabilities on the reference images, taken once, and per call the gradient of the mean KL
     * divergence from them on the next batch of reference images. Unlearning otherwise drags the
     * whole function along with the forget set (holdout loss rose with forget loss, GUIDE §3), and
     * the retain buffer cannot hold it: its samples are memorised, their gradients ≈ 0.
     */
    static final class Anchor {
        /** Reference images per step on a full model, where each image costs a forward and backward pass. */
        static final int BATCH = 64;
        private final Network network;
        private final int batch;
        private final SampleSet reference;
        private final float[][] targets;
        /** The latest loss and correctness seen for each reference image (copy-on-read). */
        private final double[] losses;
        private final boolean[] correct;
        private final List<Integer> order = new ArrayList<>();
        private final Random random;
        private int position;

        /**
         * @param initial the current predictions on {@code reference}
         * @param targets the original model's class probabilities on {@code reference}, one row each
         */
        Anchor(Network network, SampleSet reference, Predictions initial, float[][] targets, long seed) {
            this(network, reference, initial, targets, seed, BATCH);
        }

        /** @param batch reference images per gradient (at most all of them) */
        Anchor(Network network, SampleSet reference, Predictions initial, float[][] targets, long seed, int batch) {
            if (reference.isEmpty()) {
                throw new IllegalArgumentException("the anchor needs reference samples");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("anchor batch must be >= 1, was " + batch);
            }
            this.network = network;
            this.batch = batch;
            this.reference = reference;
            this.targets = targets;
            this.losses = initial.losses().clone();
            this.correct = initial.correct().clone();
            this.random = new Random(seed ^ 0x5DEECE66DL);
            for (int i = 0; i < reference.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, random);
        }

        float[] nextGradient() {
            int size = Math.min(batch, reference.size());
            List<Sample> images = new ArrayList<>(size);
            int[] indices = new int[size];
            float[][] batchTargets = new float[size][];
            for (int k = 0; k < size; k++) {
                if (position == order.size()) {
                    Collections.shuffle(order, random);
                    position = 0;
                }
                int i = order.get(position++);
                indices[k] = i;
                images.add(reference.get(i));
                batchTargets[k] = targets[i];
            }
            Network.PassResult pass = network.softTargetPass(reference.with(images), batchTargets);
            for (int k = 0; k < size; k++) {
                losses[indices[k]] = pass.predictions().losses()[k];
                correct[indices[k]] = pass.predictions().correct()[k];
            }
            return pass.gradient();
        }

        /** The reference set's losses as of each image's latest anchor pass. */
        Predictions referencePredictions() {
            return new Predictions(losses.clone(), correct.clone());
        }
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
