package dev.lethe.core.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A team's own PyTorch model, as {@code torch.jit.save} wrote it, loaded trainable into DJL's
 * libtorch.
 *
 * <p>The module always runs in eval mode (BatchNorm uses its running statistics and never updates
 * them; dropout is off), with or without autograd. DJL couples the two: its {@code forward(…,
 * training=true)} switches the module to train mode, and {@code training=false} runs under
 * inference mode, whose tensors refuse backward. So the block's {@code isTrain} flag is set once
 * (keeping DJL from ever calling {@code module.train()}), the module is put in eval mode, and
 * gradients are switched off per call with the thread's grad mode instead.
 *
 * <p>Methods other than {@code forward} (an {@code @torch.jit.export}ed {@code embed} or
 * {@code classify}) are called through DJL's {@code module_method:} marker, with autograd.
 *
 * <p>The bytes read are kept: {@link #reload} makes an independent copy (for unlearning a copy),
 * and {@link #write} writes the module back as a plain TorchScript file that
 * {@code torch.jit.load} opens — buffers and every tensor not changed bit-identical.
 */
public final class TorchScriptModule implements AutoCloseable {

    /** A zip local-file header: every TorchScript file starts with one, or DJL's header precedes it. */
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    private static final String METHOD_MARKER = "module_method:";

    private final byte[] source;
    private final Model model;
    private final PtSymbolBlock block;
    private final ParameterStore store;
    private final Set<String> methods;

    private TorchScriptModule(byte[] source, Device device) throws IOException {
        this.source = source;
        Path dir = Files.createTempDirectory("lethe-torchscript");
        try {
            Files.write(dir.resolve("module.pt"), source);
            this.model = Model.newInstance("module", device, Devices.ENGINE);
            // Without trainParam the parameters load as inference tensors and refuse gradients.
            model.load(dir, "module", Map.of("trainParam", "true"));
        } catch (MalformedModelException | EngineException e) {
            throw new IOException("not a TorchScript module PyTorch's loader accepts: " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
        if (!(model.getBlock() instanceof PtSymbolBlock b)) {
            model.close();
            throw new IOException("the PyTorch engine did not load a TorchScript module");
        }
        this.block = b;
        this.store = new ParameterStore(model.getNDManager(), false);
        this.methods = Set.of(JniUtils.getMethodNames(block));
        // The graph executor's optimisation passes specialise on requires_grad; with gradients on
        // and off between calls they are more trouble than the few percent they save here.
        JniUtils.setGraphExecutorOptimize(false);
        pinEvalMode();
    }

    /** Whether {@code bytes} look like a TorchScript file (a zip), with or without DJL's header. */
    public static boolean isTorchScript(byte[] bytes) {
        return zipStart(bytes) >= 0;
    }

    /**
     * Loads a TorchScript file. A file written by DJL's {@code Model.save} (a {@code DJL@} header in
     * front of the zip) is accepted too: the header is dropped.
     */
    public static TorchScriptModule load(byte[] bytes, Device device) throws IOException {
        int start = zipStart(bytes);
        if (start < 0) {
            throw new IOException("not a TorchScript file: no zip archive in its first bytes");
        }
        return new TorchScriptModule(start == 0 ? bytes : Arrays.copyOfRange(bytes, start, bytes.length), device);
    }

    /** An independent module from the same file (its tensors as they were when it was read). */
    public TorchScriptModule reload() throws IOException {
        return new TorchScriptModule(source, model.getNDManager().getDevice());
    }

    /** Exported methods, e.g. {@code forward}, {@code embed}, {@code classify}. */
    public boolean hasMethod(String name) {
        return methods.contains(name);
    }

    /** The trainable tensors with their PyTorch names ({@code named_parameters()} order). */
    public List<Pair<String, NDArray>> parameters() {
        List<Pair<String, NDArray>> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.add(new Pair<>(p.getKey(), p.getValue().getArray()));
        }
        return out;
    }

    NDManager manager() {
        return model.getNDManager();
    }

    /**
     * Runs {@code method} on a batch in eval mode; with {@code gradients} the result is part of
     * the autograd graph (backward reaches the module's parameters).
     */
    public NDArray run(String method, NDArray input, boolean gradients) {
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(gradients);
        try {
            NDList in;
            if (method.equals("forward")) {
                in = new NDList(input);
            } else {
                NDArray marker = input.getManager().create(0f);
                marker.setName(METHOD_MARKER + method);
                in = new NDList(marker, input);
            }
            return block.forward(store, in, true).singletonOrThrow();
        } finally {
            JniUtils.setGradMode(before);
        }
    }

    /** The module as a plain TorchScript file (no DJL header), with its current tensors. */
    public void write(OutputStream out) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JniUtils.writeModule(block, bytes, false);
        bytes.writeTo(out);
    }

    @Override
    public void close() {
        model.close();
    }

    private void pinEvalMode() throws IOException {
        try {
            Field isTrain = PtSymbolBlock.class.getDeclaredField("isTrain");
            isTrain.setAccessible(true);
            isTrain.setBoolean(block, true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("this DJL version does not let Lethe keep a TorchScript module in eval mode "
                    + "while taking gradients (PtSymbolBlock.isTrain): " + e, e);
        }
        JniUtils.enableInferenceMode(block); // module.eval(); DJL's name for it
    }

    private static int zipStart(byte[] bytes) {
        // DJL's header is 91 bytes for short names; look a little further for long ones.
        int limit = Math.min(bytes.length - ZIP_MAGIC.length, 4096);
        for (int i = 0; i <= limit; i++) {
            if (bytes[i] == ZIP_MAGIC[0] && bytes[i + 1] == ZIP_MAGIC[1] && bytes[i + 2] == ZIP_MAGIC[2]
                    && bytes[i + 3] == ZIP_MAGIC[3]) {
                return i == 0 || startsWith(bytes, "DJL@") ? i : -1;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] bytes, String prefix) {
        if (bytes.length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (bytes[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
