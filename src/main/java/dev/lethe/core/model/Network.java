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
 * <p>Unlearning methods work on flat vectors (gradients, projections, updates) in plain Java;
 * {@link FlatParameters} moves numbers between those vectors and the engine's tensors, in the
 * order {@link #layout()} describes. The passes live in {@link LossPasses} and
 * {@link PerSampleGradientPasses}; a team's module is bound in {@link TorchScriptNetworks}.
 *
 * <p>Not thread-safe: PyTorch allows one gradient collector at a time per process.
 */
public final class Network implements AutoCloseable {

    private final Architecture architecture;
    private final int[] inputShape;
    private final int numClasses;
    private final Device device;
    private final NDManager manager;
    private final Block block;
    private final ParameterStore store;
    private final FlatParameters flat;
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
        List<Pair<String, NDArray>> tensors = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            String name = names == null ? p.getKey() : names.get(tensors.size());
            tensors.add(new Pair<>(name, p.getValue().getArray()));
        }
        this.flat = new FlatParameters(tensors);
        this.layers = layers;
        this.script = null;
        this.method = null;
        this.ownsScript = false;
    }

    /** A network that runs {@code method} of a TorchScript module: see {@link TorchScriptNetworks}. */
    Network(TorchScriptModule script, String method, FlatParameters flat, int[] inputShape, int numClasses,
            boolean ownsScript) {
        this.architecture = null;
        this.inputShape = inputShape.clone();
        this.numClasses = numClasses;
        this.manager = script.manager();
        this.device = manager.getDevice();
        this.block = null;
        this.store = null;
        this.flat = flat;
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
        return TorchScriptNetworks.wholeModule(script, inputShape, numClasses);
    }

    /**
     * The module's {@code method} (e.g. {@code classify}) as a network over {@code tensors} on
     * inputs of {@code inputShape}; it shares the module with {@code model} and closes nothing.
     */
    static Network torchScriptMethod(Network model, String method, List<Integer> tensors, int[] inputShape) {
        return TorchScriptNetworks.bind(model.script, method, tensors, inputShape, model.numClasses, false);
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
        Network twin = script != null ? TorchScriptNetworks.reloaded(script, ownsScript, inputShape, numClasses)
                : create(architecture(), inputShape, numClasses, device, 0);
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
        return flat.tensor(t);
    }

    /** θ as the engine holds it: the passes read and zero its gradients. */
    FlatParameters flat() {
        return flat;
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
        return flat.count();
    }

    public List<ParameterSlice> layout() {
        return flat.layout();
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
        return flat.read();
    }

    /** θ ← values. */
    public void setParameters(float[] values) {
        flat.write(values);
    }

    /** θ ← θ − scale·direction. */
    public void step(float[] direction, double scale) {
        flat.checkLength(direction);
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
        return LossPasses.predict(this, samples, probabilities);
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
        return LossPasses.predictThenGradient(this, samples, weighting);
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
        return LossPasses.weightedGradientAndLoss(this, batch, sampleWeights);
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
        return LossPasses.softTargetPass(this, batch, targets);
    }

    /**
     * The B×P matrix of per-sample gradients ∇θ ℓ_i, from one batched pass
     * ({@link ReplicatedForward}); {@link #perSampleGradientsByLoop} is the reference.
     */
    public float[][] perSampleGradients(SampleSet batch) {
        return perSampleGradients(batch, ParameterSubset.all(flat.layout()), null);
    }

    /** The parameter tensors whose names match {@code regex} (see {@link ParameterSubset#matching}). */
    public ParameterSubset parameterSubset(String regex) {
        return ParameterSubset.matching(flat.layout(), regex);
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
        return PerSampleGradientPasses.parts(this, batch, subset);
    }

    /** {@link #perSampleGradientsByLoop(SampleSet)} restricted to the selected tensors (the reference). */
    public float[][] perSampleGradientsByLoop(SampleSet batch, ParameterSubset subset) {
        return PerSampleGradientPasses.byLoop(this, batch, subset);
    }

    /**
     * The B×P matrix of per-sample gradients by one single-sample backward pass each: the
     * reference implementation, exact for any model but about B times the cost of one pass.
     */
    public float[][] perSampleGradientsByLoop(SampleSet batch) {
        return PerSampleGradientPasses.byLoop(this, batch);
    }

    /** The logits of {@code samples}; with {@code training}, recorded for a backward pass. */
    NDArray forward(NDManager scope, List<Sample> samples, boolean training) {
        if (script != null) {
            return script.run(method, input(scope, samples), training);
        }
        return block.forward(store, new NDList(input(scope, samples)), training).singletonOrThrow();
    }

    NDArray input(NDManager scope, List<Sample> samples) {
        int features = samples.isEmpty() ? 0 : samples.get(0).features().length;
        float[] values = new float[samples.size() * features];
        for (int i = 0; i < samples.size(); i++) {
            System.arraycopy(samples.get(i).features(), 0, values, i * features, features);
        }
        return scope.create(values, batchShape(samples.size()));
    }

    Shape batchShape(int n) {
        long[] dims = new long[inputShape.length + 1];
        dims[0] = n;
        for (int i = 0; i < inputShape.length; i++) {
            dims[i + 1] = inputShape[i];
        }
        return new Shape(dims);
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
