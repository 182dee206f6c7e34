package dev.lethe.core.model;

import ai.djl.Device;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A built-in network as bytes: architecture, shapes, the parameter layout and θ as little-endian
 * float32. Self-describing and engine-independent, so an artifact can be verified, diffed and
 * loaded on CPU or GPU alike; DJL's own {@code Model.save} numbers files in place, which does not
 * fit atomic, content-addressed artifacts.
 */
public final class NetworkCodec {

    private static final int MAGIC = 0x4c455448; // "LETH"
    private static final int FORMAT_VERSION = 1;

    private NetworkCodec() {
    }

    public static void write(Network network, OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeInt(FORMAT_VERSION);
        data.writeUTF(network.architecture().id());
        data.writeInt(network.numClasses());
        int[] shape = network.inputShape();
        data.writeInt(shape.length);
        for (int d : shape) {
            data.writeInt(d);
        }
        List<Network.ParameterSlice> layout = network.layout();
        data.writeInt(layout.size());
        for (Network.ParameterSlice s : layout) {
            data.writeUTF(s.name());
            data.writeInt(s.size());
        }
        float[] theta = network.parameters();
        ByteBuffer buffer = ByteBuffer.allocate(theta.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(theta);
        data.write(buffer.array());
        data.flush();
    }

    public static Network read(InputStream in, Device device) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) {
            throw new IOException("not a Lethe network artifact (bad magic number)");
        }
        int format = data.readInt();
        if (format != FORMAT_VERSION) {
            throw new IOException("unsupported artifact format " + format + "; this build reads " + FORMAT_VERSION);
        }
        Architecture architecture;
        try {
            architecture = Architecture.parse(data.readUTF());
        } catch (IllegalArgumentException e) {
            throw new IOException("artifact names an unknown architecture", e);
        }
        int numClasses = data.readInt();
        int[] shape = new int[data.readInt()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = data.readInt();
        }
        Network network = Network.create(architecture, shape, numClasses, device, 0);
        try {
            List<Network.ParameterSlice> layout = network.layout();
            int tensors = data.readInt();
            if (tensors != layout.size()) {
                throw new IOException("artifact has " + tensors + " tensors, " + architecture.id() + " has " + layout.size());
            }
            for (Network.ParameterSlice s : layout) {
                String name = data.readUTF();
                int size = data.readInt();
                if (!name.equals(s.name()) || size != s.size()) {
                    throw new IOException("artifact tensor " + name + " (" + size + ") does not match "
                            + s.name() + " (" + s.size() + ")");
                }
            }
            byte[] bytes = data.readNBytes(network.parameterCount() * Float.BYTES);
            if (bytes.length != network.parameterCount() * Float.BYTES) {
                throw new IOException("artifact is truncated: " + bytes.length + " of "
                        + network.parameterCount() * Float.BYTES + " parameter bytes");
            }
            float[] theta = new float[network.parameterCount()];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(theta);
            network.setParameters(theta);
            return network;
        } catch (IOException | RuntimeException e) {
            network.close();
            throw e;
        }
    }
}
