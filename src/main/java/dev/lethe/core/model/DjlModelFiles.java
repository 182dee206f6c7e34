package dev.lethe.core.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a model saved with DJL's {@code Model.save} ({@code <name>-NNNN.params}) for one of the
 * built-in architectures, so a team that trains with DJL can hand Lethe its model as is. The
 * parameters must match the architecture exactly (names, order, shapes).
 *
 * <p>A TorchScript file cannot be taken this way: Lethe needs the layer structure (per-sample
 * gradients, per-tensor projection), which a traced graph does not expose. Export the weights of
 * a built-in architecture instead.
 */
public final class DjlModelFiles {

    private static final Pattern PARAMS = Pattern.compile("(.+)-(\\d{4})\\.params");

    private DjlModelFiles() {
    }

    /** Whether the file name looks like DJL's {@code <name>-NNNN.params}. */
    public static boolean isDjlParams(Path file) {
        return PARAMS.matcher(file.getFileName().toString()).matches();
    }

    public static Network read(Path file, Architecture architecture, int[] inputShape, int numClasses, Device device)
            throws IOException {
        Matcher m = PARAMS.matcher(file.getFileName().toString());
        if (!m.matches() || !Files.isRegularFile(file)) {
            throw new IOException(file + " is not a DJL parameter file (<name>-NNNN.params)");
        }
        Path dir = file.toAbsolutePath().getParent();
        Network network = Network.create(architecture, inputShape, numClasses, device, 0);
        try (Model model = Model.newInstance(m.group(1), device)) {
            Block block = architecture.build(numClasses);
            long[] dims = new long[inputShape.length + 1];
            dims[0] = 1;
            for (int i = 0; i < inputShape.length; i++) {
                dims[i + 1] = inputShape[i];
            }
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(dims));
            model.setBlock(block);
            model.load(dir, m.group(1), java.util.Map.of("epoch", String.valueOf(Integer.parseInt(m.group(2)))));
            List<float[]> tensors = new ArrayList<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                tensors.add(p.getValue().getArray().toFloatArray());
            }
            List<Network.ParameterSlice> layout = network.layout();
            if (tensors.size() != layout.size()) {
                throw new IOException(file + " has " + tensors.size() + " tensors, " + architecture.id() + " has "
                        + layout.size());
            }
            float[] theta = new float[network.parameterCount()];
            for (int i = 0; i < layout.size(); i++) {
                Network.ParameterSlice s = layout.get(i);
                if (tensors.get(i).length != s.size()) {
                    throw new IOException("tensor " + s.name() + " has " + tensors.get(i).length + " values in " + file
                            + ", " + s.size() + " in " + architecture.id());
                }
                System.arraycopy(tensors.get(i), 0, theta, s.offset(), s.size());
            }
            network.setParameters(theta);
            return network;
        } catch (MalformedModelException | RuntimeException e) {
            network.close();
            throw new IOException("cannot read " + file + " as a " + architecture.id() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            network.close();
            throw e;
        }
    }
}
