package dev.lethe.core.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.gradients.PerSampleGradients;

import java.util.ArrayList;
import java.util.List;

/**
 * A classifier on DJL/PyTorch seen as one flat parameter vector θ.
 *
 * <p>Unlearning methods work on flat vectors (gradients, projections, updates) in plain Java; this
 * class is the only place that moves numbers between those vectors and the engine's tensors. The
 * flat order is the block's parameter order, described by {@link #layout()}.
 *
 * <p>Not thread-safe: PyTorch allows one gradient collector at a time per process.
 */
public final class Network implements AutoCloseable {

    /** Evaluation runs in chunks so that a large set never needs one huge tensor. */
    private static final int EVAL_CHUNK = 1000;

    private final Architecture architecture;
    private final int[] inputShape;
    private final int numClasses;
    private final Device device;
    private final NDManager manager;
    private final Block block;
    private final ParameterStore store;
    private final List<NDArray> weights = new ArrayList<>();
    private final List<ParameterSlice> layout = new ArrayList<>();
    private final int parameterCount;
    /** The layer spec: the replicated-weights fast path and {@link FrozenPrefix} need it; null for TorchScript. */
    private final List<Layer> layers;
    /** A team's own TorchScript module, or null for a built-in architecture. */
    private final TorchScriptModule script;
    /** The module's method this network runs: {@code forward}, or {@code classify} for a head. */
    private final String method;
    /** Whether closing this network closes {@link #script} (a head shares its model's module). */
    private final boolean ownsScript;

    /** One parameter tensor's place in the flat vector. */
    public record ParameterSlice(String name, int offset, int size) {
    }

    private Network(Architecture architecture, List<Layer> layers, int[] inputShape, int numClasses, Device device,
                    Long seed, List<String> names) {
        this.architecture = architecture;
        this.inputShape = inputShape.clone();
        this.numClasses = numClasses;
        this.device = device;
        Engine engine = Engine.getEngine(Devices.ENGINE);
        if (seed != null) {
            engine.setRandomSeed((int) (long) seed);
        }
        this.manager = engine.newBaseManager(device);
        this.block = Architecture.build(layers);
        block.initialize(manager, DataType.FLOAT32, batchShape(1));
        this.store = new ParameterStore(manager, false);
        int offset = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray array = p.getValue().getArray();
            array.setRequiresGradient(true);
            int size = Math.toIntExact(array.size());
            String name = names == null ? p.getKey() : names.get(weights.size());
            weights.add(array);
            layout.add(new ParameterSlice(name, offset, size));
            offset += size;
        }
        this.parameterCount = offset;
        this.layers = layers;
        this.script = null;
        this.method = null;
        this.ownsScript = false;
    }

    /**
     * A network that runs {@code method} of a TorchScript module over the module's parameters
     * {@code tensors} (indices in the module's parameter order; its gradients reach only those).
     */
    private Network(TorchScriptModule script, String method, List<Integer> tensors, int[] inputShape, int numClasses,
                    boolean ownsScript) {
        this.architecture = null;
        this.inputShape = inputShape.clone();
        this.numClasses = numClasses;
        this.manager = script.manager();
        this.device = manager.getDevice();
        this.block = null;
        this.store = null;
        List<ai.djl.util.Pair<String, NDArray>> all = script.parameters();
        int offset = 0;
        for (int t : tensors) {
            NDArray array = all.get(t).getValue();
            array.setRequiresGradient(true);
            int size = Math.toIntExact(array.size());
            weights.add(array);
            layout.add(new ParameterSlice(all.get(t).getKey(), offset, size));
            offset += size;
        }
        this.parameterCount = offset;
        this.layers = null;
        this.script = script;
        this.method = method;
        this.ownsScript = ownsScript;
    }

    /**
     * A team's TorchScript module as a network over all its trainable tensors, known by their
     * PyTorch names. One forward pass on zeros checks that it takes {@code inputShape} and gives
     * {@code numClasses} logits.
     *
     * @throws IllegalArgumentException with the module's own message when it does not fit
     */
    public static Network ofTorchScript(TorchScriptModule script, int[] inputShape, int numClasses) {
        List<Integer> all = new ArrayList<>();
        for (int t = 0; t < script.parameters().size(); t++) {
            all.add(t);
        }
        Network network = new Network(script, "forward", all, inputShape, numClasses, true);
        network.checkOutputShape(inputShape);
        return network;
    }

    /**
     * The module's {@code method} (e.g. {@code classify}) as a network over {@code tensors} on
     * inputs of {@code inputShape}; it shares the module with {@code model} and closes nothing.
     */
    static Network torchScriptMethod(Network model, String method, List<Integer> tensors, int[] inputShape) {
        return new Network(model.script, method, tensors, inputShape, model.numClasses, false);
    }

    private void checkOutputShape(int[] shape) {
        Shape out;
        try (NDManager scope = manager.newSubManager()) {
            out = script.run(method, scope.zeros(batchShape(2)), false).getShape();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the TorchScript module does not take inputs of shape "
                    + java.util.Arrays.toString(shape) + " (lethe.model.input-shape): " + firstLine(e.getMessage()), e);
        }
        if (out.dimension() != 2 || out.get(0) != 2 || out.get(1) != numClasses) {
            throw new IllegalArgumentException("the TorchScript module gives outputs of shape " + out + " for a batch of 2 "
                    + "inputs of shape " + java.util.Arrays.toString(shape) + "; expected (2, " + numClasses
                    + ") logits (lethe.model.classes)");
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** The TorchScript module behind this network, or null for a built-in architecture. */
    public TorchScriptModule torchScript() {
        return script;
    }

    /** Whether this is a team's TorchScript module rather than a built-in architecture. */
    public boolean isTorchScript() {
        return script != null;
    }

    /** A freshly initialised network; the same seed gives the same initial weights. */
    public static Network create(Architecture architecture, int[] inputShape, int numClasses,
                                 Device device, long seed) {
        return new Network(architecture, architecture.layers(numClasses), inputShape, numClasses, device, seed, null);
    }

    /**
     * A network of {@code layers} alone (the tail of a built-in architecture) on inputs of
     * {@code inputShape}, its tensors named {@code names}: see {@link FrozenPrefix}. It has no
     * architecture of its own, so it cannot be copied, saved or retrained.
     */
    static Network head(List<Layer> layers, int[] inputShape, int numClasses, Device device, List<String> names) {
        return new Network(null, layers, inputShape, numClasses, device, null, names);
    }

    /** {@link #head} freshly initialised from {@code seed}: a reference head trained from scratch. */
    static Network head(List<Layer> layers, int[] inputShape, int numClasses, Device device, List<String> names,
                        long seed) {
        return new Network(null, layers, inputShape, numClasses, device, seed, names);
    }

    /** An independent network with the same architecture (or module) and the same current weights. */
    public Network copy() {
        Network twin;
        if (script != null) {
            if (!ownsScript) {
                throw new IllegalStateException("a head of a TorchScript module cannot be copied on its own");
            }
            try {
                twin = ofTorchScript(script.reload(), inputShape, numClasses);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot reload the TorchScript module", e);
            }
        } else {
            twin = create(architecture(), inputShape, numClasses, device, 0);
        }
        twin.setParameters(parameters());
        return twin;
    }

    public Architecture architecture() {
        if (architecture == null) {
            throw new IllegalStateException(script != null ? "a TorchScript module is not a built-in architecture"
                    : "a head network has no architecture of its own");
        }
        return architecture;
    }

    /** {@code torchscript} for a team's module, else the built-in architecture's id. */
    public String describe() {
        return script != null ? "torchscript" : architecture != null ? architecture.id() : "head";
    }

    /** The layer sequence the model is built from. */
    List<Layer> layerSpec() {
        return layers;
    }

    /** Parameter tensor {@code t} in layout order, as the engine holds it. */
    NDArray weight(int t) {
        return weights.get(t);
    }

    NDManager manager() {
        return manager;
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    public int numClasses() {
        return numClasses;
    }

    public Device device() {
        return device;
    }

    public int parameterCount() {
        return parameterCount;
    }

    public List<ParameterSlice> layout() {
        return List.copyOf(layout);
    }

    /** The DJL block of a built-in architecture, for saving and loading artifacts. */
    public Block block() {
        if (block == null) {
            throw new IllegalStateException("a TorchScript network has no DJL block; use torchScript()");
        }
        return block;
    }

    /** A copy of θ. */
    public float[] parameters() {
        float[] flat = new float[parameterCount];
        for (int i = 0; i < weights.size(); i++) {
            float[] w = weights.get(i).toFloatArray();
            System.arraycopy(w, 0, flat, layout.get(i).offset(), w.length);
        }
        return flat;
    }

    /** θ ← values. */
    public void setParameters(float[] values) {
        checkLength(values);
        for (int i = 0; i < weights.size(); i++) {
            ParameterSlice s = layout.get(i);
            float[] w = new float[s.size()];
            System.arraycopy(values, s.offset(), w, 0, s.size());
            weights.get(i).set(w);
        }
    }

    /** θ ← θ − scale·direction. */
    public void step(float[] direction, double scale) {
        checkLength(direction);
        float[] theta = parameters();
        for (int i = 0; i < theta.length; i++) {
            theta[i] -= (float) (scale * direction[i]);
        }
        setParameters(theta);
    }

    /** Per-sample cross-entropy losses and correctness, without recording gradients. */
    public Predictions predict(SampleSet samples) {
        return predict(samples, null);
    }

    /**
     * {@link #predict(SampleSet)}, and, when {@code probabilities} is not null (one row per sample),
     * the softmax outputs from the same forward pass written into it.
     */
    public Predictions predict(SampleSet samples, float[][] probabilities) {
        int n = samples.size();
        if (probabilities != null && probabilities.length != n) {
            throw new IllegalArgumentException("one probability row per sample needed");
        }
        double[] losses = new double[n];
        boolean[] correct = new boolean[n];
        for (int start = 0; start < n; start += EVAL_CHUNK) {
            int end = Math.min(n, start + EVAL_CHUNK);
            try (NDManager scope = manager.newSubManager()) {
                NDArray logits = forward(scope, samples.samples().subList(start, end), false);
                Predictions chunk = Predictions.fromLogits(logits.toFloatArray(), numClasses, samples, start, end);
                System.arraycopy(chunk.losses(), 0, losses, start, end - start);
                System.arraycopy(chunk.correct(), 0, correct, start, end - start);
                if (probabilities != null) {
                    float[] p = logits.softmax(1).toFloatArray();
                    for (int i = start; i < end; i++) {
                        probabilities[i] = java.util.Arrays.copyOfRange(p, (i - start) * numClasses, (i - start + 1) * numClasses);
                    }
                }
            }
        }
        return new Predictions(losses, correct);
    }

    /** Predictions of one forward pass and, when asked for, the gradient from the same pass. */
    public record PassResult(Predictions predictions, float[] gradient) {
    }

    /**
     * One forward pass over {@code samples}; {@code weighting} sees its predictions and returns
     * per-sample weights w_i, or null to skip the backward pass. With weights, the gradient of
     * Σ w_i·ℓ_i is taken from the same pass, so that weights can depend on the current losses
     * without a second forward pass.
     */
    public PassResult predictThenGradient(SampleSet samples, java.util.function.Function<Predictions, double[]> weighting) {
        try (NDManager scope = manager.newSubManager();
             GradientCollector collector = Engine.getEngine(Devices.ENGINE).newGradientCollector()) {
            NDArray logits = forward(scope, samples.samples(), true);
            Predictions predictions = Predictions.fromLogits(logits.toFloatArray(), numClasses, samples, 0, samples.size());
            double[] weights = weighting.apply(predictions);
            if (weights == null) {
                return new PassResult(predictions, null);
            }
            zeroGradients();
            collector.backward(crossEntropy(scope, logits, samples.samples(), weights));
            return new PassResult(predictions, gradients());
        }
    }

    /** ∇θ of the mean cross-entropy over the batch. */
    public float[] meanGradient(SampleSet batch) {
        double[] w = new double[batch.size()];
        java.util.Arrays.fill(w, 1.0 / batch.size());
        return weightedGradient(batch, w);
    }

    /** ∇θ Σ_i w_i·ℓ_i: one batched forward/backward pass. */
    public float[] weightedGradient(SampleSet batch, double[] sampleWeights) {
        return weightedGradientAndLoss(batch, sampleWeights).gradient();
    }

    /** ∇θ Σ_i w_i·ℓ_i and the value Σ_i w_i·ℓ_i, from one batched forward/backward pass. */
    public NetworkGradient weightedGradientAndLoss(SampleSet batch, double[] sampleWeights) {
        if (sampleWeights.length != batch.size()) {
            throw new IllegalArgumentException("one weight per sample needed");
        }
        try (NDManager scope = manager.newSubManager();
             GradientCollector collector = Engine.getEngine(Devices.ENGINE).newGradientCollector()) {
            zeroGradients();
            NDArray loss = weightedLoss(scope, batch.samples(), sampleWeights);
            collector.backward(loss);
            return new NetworkGradient(gradients(), loss.getFloat());
        }
    }

    /** Softmax outputs, one row of class probabilities per sample, without recording gradients. */
    public float[][] probabilities(SampleSet samples) {
        float[][] out = new float[samples.size()][];
        predict(samples, out);
        return out;
    }

    /**
     * ∇θ of the mean cross-entropy against soft targets, −(1/n)·Σ_i Σ_c t_ic·log p_θ(c|x_i): with
     * targets from another model, the gradient of the mean KL divergence from that model's outputs
     * to this one's (the entropy of the targets is a constant). Zero where the outputs match.
     */
    public float[] softTargetGradient(SampleSet batch, float[][] targets) {
        return softTargetPass(batch, targets).gradient();
    }

    /**
     * {@link #softTargetGradient} and, from the same forward pass, the samples' predictions
     * against their own labels: the anchor's pass doubles as a refresh of the reference losses.
     */
    public PassResult softTargetPass(SampleSet batch, float[][] targets) {
        if (targets.length != batch.size()) {
            throw new IllegalArgumentException("one target row per sample needed");
        }
        float[] flat = new float[batch.size() * numClasses];
        for (int i = 0; i < targets.length; i++) {
            if (targets[i].length != numClasses) {
                throw new IllegalArgumentException("target rows need " + numClasses + " classes");
            }
            for (int c = 0; c < numClasses; c++) {
                flat[i * numClasses + c] = -targets[i][c] / batch.size();
            }
        }
        try (NDManager scope = manager.newSubManager();
             GradientCollector collector = Engine.getEngine(Devices.ENGINE).newGradientCollector()) {
            zeroGradients();
            NDArray logits = forward(scope, batch.samples(), true);
            Predictions predictions = Predictions.fromLogits(logits.toFloatArray(), numClasses, batch, 0, batch.size());
            NDArray logProbs = logits.logSoftmax(1);
            collector.backward(logProbs.mul(scope.create(flat, new Shape(batch.size(), numClasses))).sum());
            return new PassResult(predictions, gradients());
        }
    }

    /**
     * The B×P matrix of per-sample gradients ∇θ ℓ_i, from one batched pass
     * ({@link ReplicatedForward}); {@link #perSampleGradientsByLoop} is the reference.
     */
    public float[][] perSampleGradients(SampleSet batch) {
        return perSampleGradients(batch, ParameterSubset.all(layout), null);
    }

    /** The parameter tensors whose names match {@code regex} (see {@link ParameterSubset#matching}). */
    public ParameterSubset parameterSubset(String regex) {
        return ParameterSubset.matching(layout, regex);
    }

    /**
     * The B×P_selected matrix of per-sample gradients over the selected tensors only (compact rows,
     * see {@link ParameterSubset}). With the fast path, only layers holding a selected tensor get
     * per-sample treatment and the backward pass stops at the first of them, so time and memory
     * shrink with the subset.
     */
    public float[][] perSampleGradients(SampleSet batch, ParameterSubset subset) {
        return perSampleGradients(batch, subset, null);
    }

    /**
     * As {@link #perSampleGradients(SampleSet, ParameterSubset)}, written into {@code reuse} when it
     * has the right shape (B rows of P_selected): every entry is overwritten, so a caller that
     * computes per-sample gradients every step can keep one matrix instead of allocating B×P floats
     * each time. Returns the matrix written.
     */
    public float[][] perSampleGradients(SampleSet batch, ParameterSubset subset, float[][] reuse) {
        return perSampleGradientParts(batch, subset).rows(reuse);
    }

    /**
     * The per-sample gradients over the selected tensors (compact order) without forming the
     * B×P_selected matrix where it can be avoided: dense layers' weight gradients stay as the
     * factors of their outer products. What OrthoGrad's projection and retain mean read.
     */
    public PerSampleGradients perSampleGradientParts(SampleSet batch, ParameterSubset subset) {
        checkSubset(subset);
        if (layers == null) {
            // A TorchScript module's graph is opaque: one backward pass per sample (the reference).
            float[][] rows = perSampleGradientsByLoop(batch, subset);
            int[] sizes = subset.compactLayout().stream().mapToInt(ParameterSlice::size).toArray();
            return PerSampleGradients.ofRows(rows, sizes);
        }
        boolean[] selected = new boolean[weights.size()];
        int[] sizes = new int[weights.size()];
        for (int t = 0; t < selected.length; t++) {
            selected[t] = subset.isSelected(t);
            sizes[t] = layout.get(t).size();
        }
        try (NDManager scope = manager.newSubManager();
             GradientCollector collector = Engine.getEngine(Devices.ENGINE).newGradientCollector()) {
            ReplicatedForward pass = new ReplicatedForward(layers, weights);
            NDArray logits = pass.forward(scope, input(scope, batch.samples()), selected);
            double[] ones = new double[batch.size()];
            java.util.Arrays.fill(ones, 1.0);
            collector.backward(crossEntropy(scope, logits, batch.samples(), ones));
            return pass.gradients(selected, sizes, batch.size());
        }
    }

    /** {@link #perSampleGradientsByLoop(SampleSet)} restricted to the selected tensors (the reference). */
    public float[][] perSampleGradientsByLoop(SampleSet batch, ParameterSubset subset) {
        checkSubset(subset);
        float[][] rows = perSampleGradientsByLoop(batch);
        if (subset.isAll()) {
            return rows;
        }
        for (int i = 0; i < rows.length; i++) {
            rows[i] = subset.gather(rows[i]);
        }
        return rows;
    }

    private void checkSubset(ParameterSubset subset) {
        if (subset.fullSize() != parameterCount) {
            throw new IllegalArgumentException("subset is of a model with " + subset.fullSize() + " parameters, this one has "
                    + parameterCount);
        }
    }

    /**
     * The B×P matrix of per-sample gradients by one single-sample backward pass each: the
     * reference implementation, exact for any model but about B times the cost of one pass.
     */
    public float[][] perSampleGradientsByLoop(SampleSet batch) {
        float[][] rows = new float[batch.size()][];
        double[] one = {1.0};
        try (GradientCollector collector = Engine.getEngine(Devices.ENGINE).newGradientCollector()) {
            for (int i = 0; i < batch.size(); i++) {
                try (NDManager scope = manager.newSubManager()) {
                    zeroGradients();
                    NDArray loss = weightedLoss(scope, List.of(batch.get(i)), one);
                    collector.backward(loss);
                    rows[i] = gradients();
                }
            }
        }
        return rows;
    }

    private NDArray weightedLoss(NDManager scope, List<Sample> samples, double[] sampleWeights) {
        return crossEntropy(scope, forward(scope, samples, true), samples, sampleWeights);
    }

    /** Σ_i w_i·CE(logits_i, label_i) as a scalar tensor. */
    private NDArray crossEntropy(NDManager scope, NDArray logits, List<Sample> samples, double[] sampleWeights) {
        NDArray logProbs = logits.logSoftmax(1);
        float[] targets = new float[samples.size() * numClasses];
        for (int i = 0; i < samples.size(); i++) {
            targets[i * numClasses + samples.get(i).label()] = (float) -sampleWeights[i];
        }
        NDArray weightedOneHot = scope.create(targets, new Shape(samples.size(), numClasses));
        return logProbs.mul(weightedOneHot).sum();
    }

    private NDArray forward(NDManager scope, List<Sample> samples, boolean training) {
        if (script != null) {
            return script.run(method, input(scope, samples), training);
        }
        return block.forward(store, new NDList(input(scope, samples)), training).singletonOrThrow();
    }

    NDArray input(NDManager scope, List<Sample> samples) {
        int features = samples.isEmpty() ? 0 : samples.get(0).features().length;
        float[] flat = new float[samples.size() * features];
        for (int i = 0; i < samples.size(); i++) {
            System.arraycopy(samples.get(i).features(), 0, flat, i * features, features);
        }
        return scope.create(flat, batchShape(samples.size()));
    }

    // getGradient() returns a new handle (a view) owned by the model's manager: close it after
    // use, or every step leaves handles behind until the model is closed.
    private void zeroGradients() {
        for (NDArray w : weights) {
            try (NDArray g = w.getGradient()) {
                g.subi(g);
            }
        }
    }

    private float[] gradients() {
        float[] flat = new float[parameterCount];
        for (int i = 0; i < weights.size(); i++) {
            try (NDArray gradient = weights.get(i).getGradient()) {
                float[] g = gradient.toFloatArray();
                System.arraycopy(g, 0, flat, layout.get(i).offset(), g.length);
            }
        }
        return flat;
    }

    private Shape batchShape(int n) {
        long[] dims = new long[inputShape.length + 1];
        dims[0] = n;
        for (int i = 0; i < inputShape.length; i++) {
            dims[i + 1] = inputShape[i];
        }
        return new Shape(dims);
    }

    private void checkLength(float[] v) {
        if (v.length != parameterCount) {
            throw new IllegalArgumentException("vector has " + v.length + " entries, model has "
                    + parameterCount + " parameters");
        }
    }

    /** Arrays the model's manager holds; constant between calls unless something leaks. */
    int managedArrayCount() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        if (script == null) {
            manager.close();
        } else if (ownsScript) {
            script.close();
        }
    }
}
