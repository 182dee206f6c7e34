package dev.lethe.core.model;

import ai.djl.Device;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A model as a file, in the format it came in: a team's TorchScript module stays TorchScript (each
 * version a plain file {@code torch.jit.load} opens), a built-in network is a Lethe artifact
 * ({@link NetworkCodec}). The format is recognised from the bytes, not the file name.
 */
public final class ModelFiles {

    /** A plain TorchScript file. */
    public static final String TORCHSCRIPT = "torchscript";
    /** Lethe's own artifact of a built-in architecture. */
    public static final String LETHE = "lethe";

    private ModelFiles() {
    }

    /**
     * Reads a TorchScript file (checked against {@code inputShape} and {@code numClasses} with one
     * forward pass) or a Lethe artifact (which describes its own shapes).
     *
     * @throws IOException with the reason when the bytes are neither, or the module does not fit
     */
    public static Network read(byte[] bytes, int[] inputShape, int numClasses, Device device) throws IOException {
        if (!TorchScriptModule.isTorchScript(bytes)) {
            return NetworkCodec.read(new ByteArrayInputStream(bytes), device);
        }
        TorchScriptModule module = TorchScriptModule.load(bytes, device);
        try {
            return Network.ofTorchScript(module, inputShape, numClasses);
        } catch (IllegalArgumentException e) {
            module.close();
            throw new IOException(e.getMessage(), e);
        }
    }

    /** {@value #TORCHSCRIPT} or {@value #LETHE}. */
    public static String format(Network network) {
        return network.isTorchScript() ? TORCHSCRIPT : LETHE;
    }

    /** The file extension of the network's format: {@code pt} or {@code lethe}. */
    public static String extension(Network network) {
        return network.isTorchScript() ? "pt" : "lethe";
    }

    public static void write(Network network, OutputStream out) throws IOException {
        if (network.isTorchScript()) {
            network.torchScript().write(out);
        } else {
            NetworkCodec.write(network, out);
        }
    }

    /**
     * Names of the tensors whose values differ, bit for bit, between two networks of the same
     * layout: what an unlearning run really changed.
     */
    public static List<String> changedTensors(Network before, Network after) {
        List<Network.ParameterSlice> layout = before.layout();
        if (!layout.equals(after.layout())) {
            throw new IllegalArgumentException("the networks have different layouts");
        }
        float[] a = before.parameters();
        float[] b = after.parameters();
        List<String> changed = new ArrayList<>();
        for (Network.ParameterSlice s : layout) {
            for (int i = s.offset(); i < s.offset() + s.size(); i++) {
                if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                    changed.add(s.name());
                    break;
                }
            }
        }
        return changed;
    }
}
