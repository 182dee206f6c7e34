package dev.lethe.daemon.registry;

import ai.djl.Device;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.events.UnlearningRecord;
import dev.lethe.core.model.DjlModelFiles;
import dev.lethe.core.model.ModelFiles;
import dev.lethe.core.model.Network;
import dev.lethe.core.registry.ArtifactStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The model's versions: the lineage as published on {@code lethe.model-versions}, the artifacts on
 * disk, and the current network in memory.
 *
 * <p>A new version is <em>staged</em> (its artifact written atomically with a sha256 manifest)
 * before it is published, and becomes current only once the publish transaction has committed. On
 * start the lineage is recovered from the topic, the current artifact is verified against its
 * published sha256 before use, and artifacts no published event names — left by a crash between
 * the write and the commit — are deleted.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

    private final String model;
    private final ArtifactStore store;
    private final Device device;
    /** Input shape and classes a TorchScript module is checked against (Lethe artifacts carry their own). */
    private final int[] inputShape;
    private final int numClasses;
    private final List<ModelVersionEvent> versions = new ArrayList<>();
    private Network current;

    public ModelRegistry(String model, Path directory, Device device) throws IOException {
        this(model, directory, device, new int[] {1, 28, 28}, 10);
    }

    public ModelRegistry(String model, Path directory, Device device, int[] inputShape, int numClasses)
            throws IOException {
        this.model = model;
        this.store = new ArtifactStore(directory);
        this.device = device;
        this.inputShape = inputShape.clone();
        this.numClasses = numClasses;
    }

    public String model() {
        return model;
    }

    /**
     * Adopts the published lineage (this model's version events in topic order) and loads the last
     * version after verifying its artifact.
     *
     * @throws ArtifactStore.IntegrityException if the current artifact does not match its sha256
     */
    public synchronized void recover(List<ModelVersionEvent> published) throws IOException {
        versions.clear();
        versions.addAll(published);
        Set<Long> known = new HashSet<>();
        published.forEach(v -> known.add(v.version()));
        int removed = store.removeUnpublished(model, known);
        if (removed > 0) {
            LOG.infof("removed %d unpublished artifact file(s) of %s left by an interrupted publish", removed, model);
        }
        if (!published.isEmpty()) {
            ModelVersionEvent last = published.get(published.size() - 1);
            replaceCurrent(load(last));
            LOG.infof("model %s: version %d is current (sha256 %s verified)", model, last.version(),
                    last.sha256().substring(0, 12));
        }
    }

    private Network load(ModelVersionEvent version) throws IOException {
        return ModelFiles.read(store.readVerified(model, version.version(), version.sha256()), inputShape, numClasses,
                device);
    }

    /**
     * A published version's artifact bytes, verified against its sha256 (for serving stacks that
     * pull a version), or empty when no such version was published.
     */
    public Optional<VersionArtifact> artifact(long version) throws IOException {
        ModelVersionEvent event;
        synchronized (this) {
            event = versions.stream().filter(v -> v.version() == version).findFirst().orElse(null);
        }
        if (event == null) {
            return Optional.empty();
        }
        return Optional.of(new VersionArtifact(event, store.readVerified(model, version, event.sha256())));
    }

    /** Whether the version's artifact was retired (deleted on purpose, {@link #retire}). */
    public boolean isRetired(long version) {
        return store.isRetired(model, version);
    }

    /**
     * Deletes a superseded version's artifact ({@link dev.lethe.core.registry.RetirementPolicy});
     * the current version and its parent are refused.
     */
    public void retire(long version, Instant at) throws IOException {
        synchronized (this) {
            ModelVersionEvent head = versions.isEmpty() ? null : versions.get(versions.size() - 1);
            if (head != null && (head.version() == version || Long.valueOf(version).equals(head.parentVersion()))) {
                throw new IllegalArgumentException("version " + version + " is current or its parent: never retired");
            }
        }
        store.retire(model, version, at);
    }

    /** A version's event and its verified bytes. */
    public record VersionArtifact(ModelVersionEvent event, byte[] bytes) {
    }

    /**
     * Reads a trained model file to register as version 1: a TorchScript file saved by
     * {@code torch.jit.save} (scripted or traced; checked against the configured input shape and
     * classes), a Lethe artifact (as {@code lethe train} writes), or a DJL
     * {@code <name>-NNNN.params} file of {@code architecture} with the given input shape and classes.
     */
    public Network readInitial(Path path, Architecture architecture, int[] inputShape, int numClasses)
            throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("initial model " + path + " does not exist (set lethe.model.initial-path)");
        }
        if (DjlModelFiles.isDjlParams(path)) {
            return DjlModelFiles.read(path, architecture, inputShape, numClasses, device);
        }
        try {
            return ModelFiles.read(Files.readAllBytes(path), inputShape, numClasses, device);
        } catch (IOException e) {
            throw new IOException("initial model " + path + ": " + e.getMessage(), e);
        }
    }

    public synchronized boolean hasVersion() {
        return !versions.isEmpty();
    }

    public synchronized Optional<ModelVersionEvent> currentVersion() {
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    public synchronized long nextVersion() {
        return versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
    }

    public synchronized List<ModelVersionEvent> versions() {
        return List.copyOf(versions);
    }

    /** The current network; callers copy it before changing it. */
    public synchronized Network current() {
        if (current == null) {
            throw new IllegalStateException("no model version is loaded");
        }
        return current;
    }

    public synchronized boolean isLoaded() {
        return current != null;
    }

    /**
     * Writes {@code network} as the next version's artifact and returns the event that will publish
     * it; nothing becomes current until {@link #commit}.
     */
    public ModelVersionEvent stage(Network network, List<String> requestIds, int samplesForgotten,
            ModelVersionEvent.Metrics metrics, Instant now) throws IOException {
        return stage(network, requestIds, samplesForgotten, metrics, now, null);
    }

    /**
     * {@link #stage(Network, List, int, ModelVersionEvent.Metrics, Instant)} for a version an
     * unlearning run made; {@code unlearning} says what it changed.
     */
    public ModelVersionEvent stage(Network network, List<String> requestIds, int samplesForgotten,
            ModelVersionEvent.Metrics metrics, Instant now, UnlearningRecord unlearning) throws IOException {
        return stage(network, requestIds, samplesForgotten, metrics, now, unlearning, null);
    }

    /**
     * Stages a new base version adopted from a retrain: no parent; {@code requestIds} are the
     * erasures re-applied to it.
     */
    public ModelVersionEvent stageBase(Network network, List<String> requestIds, int samplesForgotten,
            ModelVersionEvent.Metrics metrics, Instant now, UnlearningRecord unlearning, ModelVersionEvent.Rebase rebase)
            throws IOException {
        return stage(network, requestIds, samplesForgotten, metrics, now, unlearning, java.util.Objects.requireNonNull(rebase));
    }

    private ModelVersionEvent stage(Network network, List<String> requestIds, int samplesForgotten,
            ModelVersionEvent.Metrics metrics, Instant now, UnlearningRecord unlearning, ModelVersionEvent.Rebase rebase)
            throws IOException {
        long version;
        Long parent;
        synchronized (this) {
            version = nextVersion();
            parent = versions.isEmpty() || rebase != null ? null : versions.get(versions.size() - 1).version();
        }
        ArtifactStore.StoredArtifact artifact = store.write(model, version, ModelFiles.extension(network),
                out -> ModelFiles.write(network, out));
        return new ModelVersionEvent(model, version, parent, artifact.path().toUri().toString(), artifact.sha256(),
                artifact.sizeBytes(), now, requestIds, samplesForgotten, metrics, deviceName(),
                ModelFiles.format(network), unlearning, rebase);
    }

    /** Makes a published version current; the registry takes ownership of {@code network}. */
    public synchronized void commit(ModelVersionEvent published, Network network) {
        versions.add(published);
        replaceCurrent(network);
    }

    /** Deletes a staged artifact whose publish failed. */
    public void discard(ModelVersionEvent staged) {
        try {
            Set<Long> known = new HashSet<>();
            versions().forEach(v -> known.add(v.version()));
            store.removeUnpublished(model, known);
        } catch (IOException e) {
            LOG.warnf("cannot remove the unpublished artifact of version %d: %s", staged.version(), e.getMessage());
        }
    }

    public String deviceName() {
        return device.isGpu() ? "gpu" : "cpu";
    }

    public Device device() {
        return device;
    }

    private void replaceCurrent(Network network) {
        Network old = current;
        current = network;
        if (old != null && old != network) {
            old.close();
        }
    }

    @Override
    public synchronized void close() {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
