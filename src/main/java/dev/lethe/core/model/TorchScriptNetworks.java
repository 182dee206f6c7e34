package dev.lethe.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.Pair;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The TorchScript side of {@link Network}: a team's module (or one of its methods, such as a
 * {@code classify} head) as a network over chosen tensors, and the check that the module fits the
 * configured input shape and class count.
 */
final class TorchScriptNetworks {

    private TorchScriptNetworks() {
    }

    /** See {@link Network#ofTorchScript}: every trainable tensor, under its PyTorch name. */
    static Network wholeModule(TorchScriptModule script, int[] inputShape, int numClasses) {
        List<Integer> all = new ArrayList<>();
        for (int t = 0; t < script.parameters().size(); t++) {
            all.add(t);
        }
        Network network = bind(script, "forward", all, inputShape, numClasses, true);
        checkOutputShape(network, script, inputShape, numClasses);
        return network;
    }

    /**
     * A network that runs {@code method} of {@code script} over the module's parameters
     * {@code tensors} (indices in the module's parameter order; its gradients reach only those).
     */
    static Network bind(TorchScriptModule script, String method, List<Integer> tensors, int[] inputShape,
                        int numClasses, boolean ownsScript) {
        List<Pair<String, NDArray>> all = script.parameters();
        List<Pair<String, NDArray>> chosen = new ArrayList<>();
        for (int t : tensors) {
            chosen.add(all.get(t));
        }
        return new Network(script, method, new FlatParameters(chosen), inputShape, numClasses, ownsScript);
    }

    /** A fresh load of {@code script}'s file as a whole-module network, for {@link Network#copy()}. */
    static Network reloaded(TorchScriptModule script, boolean ownsScript, int[] inputShape, int numClasses) {
        if (!ownsScript) {
            throw new IllegalStateException("a head of a TorchScript module cannot be copied on its own");
        }
        try {
            return wholeModule(script.reload(), inputShape, numClasses);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reload the TorchScript module", e);
        }
    }

    /** One forward pass of two zero inputs: the module must take them and give (2, classes) logits. */
    private static void checkOutputShape(Network network, TorchScriptModule script, int[] shape, int numClasses) {
        Shape out;
        try (NDManager scope = script.manager().newSubManager()) {
            out = script.run("forward", scope.zeros(network.batchShape(2)), false).getShape();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the TorchScript module does not take inputs of shape "
                    + Arrays.toString(shape) + " (lethe.model.input-shape): " + firstLine(e.getMessage()), e);
        }
        if (out.dimension() != 2 || out.get(0) != 2 || out.get(1) != numClasses) {
            throw new IllegalArgumentException("the TorchScript module gives outputs of shape " + out + " for a batch of 2 "
                    + "inputs of shape " + Arrays.toString(shape) + "; expected (2, " + numClasses
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
}
