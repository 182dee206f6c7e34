package dev.lethe.daemon;

import dev.lethe.core.erasure.ErasedSubjects;
import dev.lethe.core.erasure.ErasureFlow;
import dev.lethe.core.erasure.ForgetBatcher;
import dev.lethe.core.erasure.RequestDeduplicator;
import dev.lethe.core.events.CloudEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.DeletionRequestReader;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.events.SampleRecordReader;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Devices;
import dev.lethe.core.model.Network;
import dev.lethe.core.rebase.Quarantine;
import dev.lethe.core.rebase.RetrainEventReader;
import dev.lethe.core.registry.ArtifactStore;
import dev.lethe.core.requests.DriftBudget;
import dev.lethe.core.requests.RocksSubjectIndex;
import dev.lethe.core.requests.SubjectIndex;
import dev.lethe.core.unlearn.VerifiedUnlearning;
import dev.lethe.daemon.config.ConfigChoices;
import dev.lethe.daemon.config.LetheConfig;
import dev.lethe.daemon.ingest.SampleIngestor;
import dev.lethe.daemon.ingest.SamplePools;
import dev.lethe.daemon.audit.ModelAuditTrail;
import dev.lethe.daemon.kafka.KafkaClients;
import dev.lethe.daemon.kafka.Records;
import dev.lethe.daemon.kafka.TopicReader;
import dev.lethe.daemon.kafka.TopicSetup;
import dev.lethe.daemon.observe.DaemonState;
import dev.lethe.daemon.observe.LetheMetrics;
import dev.lethe.daemon.pipeline.ErasurePipeline;
import dev.lethe.daemon.publish.Publisher;
import dev.lethe.daemon.rebase.RebaseRun;
import dev.lethe.daemon.rebase.RebaseSetup;
import dev.lethe.daemon.rebase.Retrains;
import dev.lethe.daemon.registry.InitialModelFetch;
import dev.lethe.daemon.registry.ModelRegistry;
import dev.lethe.daemon.registry.ModelRetirement;
import dev.lethe.daemon.requests.AfterCommit;
import dev.lethe.daemon.requests.DriftWatch;
import dev.lethe.daemon.requests.RequestCoordinator;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.jboss.logging.Logger;

/**
 * The daemon, assembled from its parts and started on a thread of its own so that the HTTP side
 * (health, metrics, API) is up while it recovers. Start-up order matters:
 * <ol>
 *   <li>create missing topics; register the transactional id (fences an older instance and aborts
 *       its open transaction, which would otherwise hold back every {@code read_committed} read);</li>
 *   <li>recover the lineage from {@code lethe.model-versions} and verify the current artifact, or
 *       register the initial model as version 1;</li>
 *   <li>recover the audit chain's head, the finished request ids and the erased subjects from
 *       {@code lethe.audit};</li>
 *   <li>restore the sample pools from the index (their persisted members only), start the sample
 *       ingest, then the request coordinator.</li>
 * </ol>
 * Any failure stops the daemon and shows in readiness; Kubernetes restarts the pod.
 */
public final class LetheDaemon implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LetheDaemon.class);
    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration KAFKA_CONTACT_WINDOW = Duration.ofSeconds(30);
    private static final Duration INGEST_CATCH_UP = Duration.ofMinutes(5);

    private final LetheConfig config;
    private final LetheMetrics metrics;
    private final Clock clock;
    private final DaemonState state;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<AutoCloseable> resources = new ArrayList<>();
    private volatile ModelRegistry registry;
    private volatile SampleIngestor ingestor;
    private volatile RequestCoordinator coordinator;
    private volatile SubjectIndex index;
    private volatile SamplePools pools;
    private volatile boolean closing;
    private Thread main;
    private Thread ingestThread;
    private volatile ModelAuditTrail.Follower follower;
    private Thread followerThread;
    private ExecutorService pipelineThread;

    /** @throws IllegalArgumentException for a setting outside its allowed values ({@link ConfigChoices}) */
    public LetheDaemon(LetheConfig config, MeterRegistry meterRegistry, Clock clock) {
        ConfigChoices.check(config);
        this.config = config;
        this.metrics = new LetheMetrics(meterRegistry);
        this.clock = clock;
        this.state = new DaemonState(config.model().name());
    }

    /** Starts recovery and the loops on a background thread; returns at once. */
    public synchronized void start() {
        if (main != null) {
            throw new IllegalStateException("already started");
        }
        main = new Thread(this::runDaemon, "lethe-coordinator");
        main.start();
    }

    private void runDaemon() {
        try {
            assembleAndRecover();
            coordinator.run();
        } catch (Throwable e) {
            if (!closing) {
                state.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
                LOG.error("Lethe stopped", e);
            }
        } finally {
            stopped.countDown();
        }
    }

    private void assembleAndRecover() throws IOException {
        Path dataDir = config.dataDir();
        Files.createDirectories(dataDir);
        KafkaClients clients = new KafkaClients(config);
        if (config.kafka().createTopics()) {
            try (Admin admin = clients.admin()) {
                TopicSetup.createMissing(admin, config);
            }
        }
        Pseudonymizer pseudonymizer = new Pseudonymizer(auditSecret(dataDir));
        ai.djl.Device device = Devices.choose(config.model().device());
        metrics.device(Devices.describe(device));
        registry = new ModelRegistry(config.model().name(), dataDir.resolve("registry"), device,
                config.model().inputShape().stream().mapToInt(Integer::intValue).toArray(), config.model().classes());
        resources.add(registry);
        index = RocksSubjectIndex.open(dataDir.resolve("index"), pseudonymizer, config.index().compression());
        resources.add(index);

        // One producer at a time; replaced (same transactional id) after an error no abort clears.
        int maxRecordBytes = Integer.parseInt(config.kafka().client().getOrDefault("max.request.size",
                String.valueOf(Publisher.DEFAULT_MAX_RECORD_BYTES)));
        Publisher publisher = new Publisher(clients::transactionalProducer, config.topics().audit(), clock,
                maxRecordBytes);
        resources.add(publisher);
        publisher.initTransactions();

        ErasedSubjects erased = new ErasedSubjects(index, pseudonymizer);
        RequestDeduplicator deduplicator = new RequestDeduplicator(config.ingest().dedupeCapacity());
        VerifiedUnlearning.Gate gate = UnlearningSetup.gate(config.verify(), config.unlearning().parameters());
        ErasureFlow flow = new ErasureFlow(new DeletionRequestReader(config.ingest().maxRequestBytes()), deduplicator,
                new ForgetBatcher(config.batch().maxSamples(), config.batch().linger()), index, erased, pseudonymizer,
                gate.miaThreshold());
        ModelAuditTrail.Recovered audit;
        Map<Integer, Long> samplesEndAtStart = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> reader = clients.consumer("recovery", null)) {
            recoverModel(reader, publisher);
            samplesEndAtStart.putAll(RebaseSetup.endOffsets(reader, config.topics().samples()));
            audit = ModelAuditTrail.recover(reader, config.topics().audit(), config.model().name(), RECOVERY_TIMEOUT,
                    flow::recovered, state::apply);
        }
        publisher.resumeChain(config.model().name(), audit.chainHead());
        LOG.infof("audit trail recovered: %d events of model %s (%d more from before models shared the topic, %d of"
                        + " other models), %d finished requests, %d erased subjects", audit.own(), config.model().name(),
                audit.unnamed(), audit.others(), flow.completedKnown(), erased.knownErased());
        follower = new ModelAuditTrail.Follower(clients.consumer("audit-follower", null), audit.followFrom(),
                config.model().name(), state::apply);
        followerThread = new Thread(follower, "lethe-audit-follower");
        followerThread.setDaemon(true);
        followerThread.start();
        state.modelLoaded(true);
        state.kafkaContact(clock.instant());
        registry.currentVersion().ifPresent(v -> {
            metrics.modelVersion(v.version());
            metrics.mia(v.metrics().miaAucBefore(), v.metrics().miaAuc());
        });

        Network model = registry.current();
        String unlearningPath = UnlearningSetup.describeUnlearning(config, model);
        // Reads the persisted pools only (a full scan of the index only for an index without them).
        pools = SamplePools.restore(index, config.ingest().retainSize(), config.ingest().holdoutSize(),
                config.ingest().seed(), erased::isErased, config.ingest().topUpBelow());
        resources.add(pools); // closed before the index: a running top-up reads it
        pools.onTopUp(t -> metrics.poolsRefilled(t.retainAdded(), t.holdoutAdded()));
        pools.topUpIfDrained(); // erasures before the last stop may have drained them
        metrics.gauge(LetheMetrics.INDEX_SAMPLES, "Samples in the subject index", null, () -> index.size());
        metrics.gauge(LetheMetrics.RETAIN_SAMPLES, "Samples in the retain buffer", null, () -> pools.retainSize());
        metrics.gauge(LetheMetrics.HOLDOUT_SAMPLES, "Samples in the holdout set", null, () -> pools.holdoutSize());
        ingestor = new SampleIngestor(clients.consumer("samples", null), config.topics().samples(),
                config.topics().samplesDlq(),
                new SampleRecordReader(model.inputShape(), model.numClasses(), config.ingest().maxSampleBytes()),
                index, pools, erased, pseudonymizer, publisher, metrics, config.model().name());
        ingestThread = new Thread(ingestor, "lethe-sample-ingest");
        ingestThread.start();

        VerifiedUnlearning unlearning = new VerifiedUnlearning(UnlearningSetup.unlearner(config.unlearning()), gate);
        pipelineThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "lethe-unlearning"));
        ErasurePipeline pipeline = new ErasurePipeline(index, pools, erased, registry, unlearning,
                config.ingest().seed(), clock, config.unlearning().parameters(), unlearningPath);
        SampleIngestor ingest = ingestor;
        RequestCoordinator.BatchRunner runner = (batch, samplesEnd) -> pipelineThread.submit(() -> {
            ingest.awaitPositions(samplesEnd, INGEST_CATCH_UP);
            pipeline.begin(batch);
            return pipeline.run(batch);
        });
        AfterCommit after = new AfterCommit(registry, pools, state, metrics, clock);
        coordinator = new RequestCoordinator(clients.consumer("requests", config.groupId()),
                new RequestCoordinator.Topics(config.topics().deletionRequests(), config.topics().deletionRequestsDlq(),
                        config.topics().samples(), config.topics().modelVersions()),
                flow, runner, publisher, after);
        DriftWatch drift = new DriftWatch(new DriftBudget.Limits(config.drift().maxAccuracyDrop(),
                config.drift().maxErasedFraction()), config.model().name(), publisher, pseudonymizer, state, metrics, clock,
                index::size);
        drift.recover(registry.versions());
        after.onBatch((result, tombstoneEnds) -> drift.accept(result));
        Quarantine quarantine = RebaseSetup.quarantine(config, dataDir.resolve("quarantine"), registry, samplesEndAtStart,
                clock);
        RebaseSetup.sealAndDiscard(quarantine, pipeline, after);
        coordinator.rebaseWith(new Retrains(new Retrains.Topics(config.topics().retrains(),
                config.topics().retrainsDlq(), config.topics().modelVersions()),
                new RetrainEventReader(), new RebaseRun(dataDir.resolve("retrains"), registry,
                        Architecture.parse(config.model().architecture()), quarantine, pools, unlearning,
                        config.ingest().seed(), clock, unlearningPath),
                pipelineThread, quarantine, after, pseudonymizer, drift::recover));
        ModelRetirement retirement = new ModelRetirement(registry, publisher, pseudonymizer,
                config.registry().retireAfter(), Set.copyOf(config.registry().pinned().orElse(List.of())), clock);
        resources.add(retirement); // closed first: it publishes and deletes artifacts
        retirement.start();
        LOG.infof("Lethe is ready: model %s v%d on %s, %d indexed samples, %d finished requests known",
                registry.model(), registry.currentVersion().map(ModelVersionEvent::version).orElse(0L),
                Devices.describe(device), index.size(), flow.completedKnown());
    }

    private void recoverModel(KafkaConsumer<byte[], byte[]> reader, Publisher publisher) throws IOException {
        List<ModelVersionEvent> versions = new ArrayList<>();
        TopicReader.readAll(reader, config.topics().modelVersions(), RECOVERY_TIMEOUT, record -> {
            Optional<CloudEvent> event = Records.cloudEvent(record);
            if (event.isPresent() && EventTypes.MODEL_VERSION_PUBLISHED.equals(event.get().type())) {
                ModelVersionEvent v = CloudEventJson.modelVersionOf(event.get().data());
                if (v.model().equals(config.model().name())) {
                    versions.add(v);
                }
            }
        });
        try {
            registry.recover(versions);
        } catch (ArtifactStore.IntegrityException e) {
            metrics.integrityFailure();
            LOG.errorf("refusing to load the current model: %s", e.getMessage());
            throw e;
        }
        if (!versions.isEmpty()) {
            return;
        }
        Path initial = initialModel();
        Network network = registry.readInitial(initial, Architecture.parse(config.model().architecture()),
                config.model().inputShape().stream().mapToInt(Integer::intValue).toArray(), config.model().classes());
        ModelVersionEvent v1 = registry.stage(network, List.of(), 0,
                new ModelVersionEvent.Metrics(Double.NaN, Double.NaN, Double.NaN, Double.NaN), clock.instant());
        publisher.publish(new Publisher.Transaction().record(Publisher.versionRecord(config.topics().modelVersions(), v1)));
        registry.commit(v1, network);
        LOG.infof("registered %s as %s version 1 (sha256 %s)", initial, config.model().name(), v1.sha256().substring(0, 12));
    }

    /** lethe.model.initial-path, else the model fetched from lethe.model.initial-uri and verified. */
    private Path initialModel() throws IOException {
        if (config.model().initialPath().isPresent()) {
            return config.model().initialPath().get();
        }
        if (config.model().initialUri().isEmpty()) {
            throw new IllegalStateException("no version of model " + config.model().name()
                    + " is published yet and neither lethe.model.initial-path nor lethe.model.initial-uri is set");
        }
        java.net.URI uri = java.net.URI.create(config.model().initialUri().get());
        return InitialModelFetch.fetch(uri, config.model().initialSha256().orElseThrow(() -> new IllegalStateException(
                "lethe.model.initial-uri needs lethe.model.initial-sha256")),
                config.dataDir().resolve("initial").resolve(InitialModelFetch.fileName(uri, config.model().name())));
    }

    /** The configured HMAC key, or one generated once into the data directory. */
    private byte[] auditSecret(Path dataDir) throws IOException {
        Optional<String> configured = config.audit().hmacSecret();
        if (configured.isPresent()) {
            return configured.get().getBytes(StandardCharsets.UTF_8);
        }
        Path file = dataDir.resolve("audit-hmac.key");
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.writeString(file, HexFormat.of().formatHex(key), StandardOpenOption.CREATE_NEW);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            LOG.warnf("lethe.audit.hmac-secret is not set: generated a key in %s (set the secret in production)", file);
        }
        return Files.readString(file).trim().getBytes(StandardCharsets.UTF_8);
    }

    // ---- what the adapters read ----------------------------------------------------------

    public DaemonState state() {
        return state;
    }

    /** The registry, once recovery has created it. */
    public Optional<ModelRegistry> registry() {
        return Optional.ofNullable(registry);
    }

    public LetheConfig config() {
        return config;
    }

    /** Live: the daemon thread has not died. */
    public boolean isLive() {
        return stopped.getCount() > 0 && state.failure().isEmpty();
    }

    /** Ready: recovered, the model loaded, the loops running and Kafka answered recently. */
    public boolean isReady() {
        return isLive() && state.modelLoaded() && coordinator != null && ingestor != null
                && ingestor.failure() == null
                && state.lastKafkaContact().map(t -> t.isAfter(clock.instant().minus(KAFKA_CONTACT_WINDOW))).orElse(false);
    }

    /** Blocks until the daemon stops (closed, or failed). */
    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closing = true;
        RequestCoordinator c = coordinator;
        if (c != null) {
            c.stop();
        }
        SampleIngestor i = ingestor;
        if (i != null) {
            i.stop();
        }
        ModelAuditTrail.Follower f = follower;
        if (f != null) {
            f.stop();
        }
        try {
            if (main != null) {
                main.join(TimeUnit.SECONDS.toMillis(30));
            }
            if (ingestThread != null) {
                ingestThread.join(TimeUnit.SECONDS.toMillis(10));
            }
            if (followerThread != null) {
                followerThread.join(TimeUnit.SECONDS.toMillis(10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (pipelineThread != null) {
            // Let a running unlearning finish before its network is closed under it.
            pipelineThread.shutdown();
            try {
                pipelineThread.awaitTermination(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int k = resources.size() - 1; k >= 0; k--) {
            try {
                resources.get(k).close();
            } catch (Exception e) {
                LOG.warnf("closing %s: %s", resources.get(k).getClass().getSimpleName(), e.getMessage());
            }
        }
        stopped.countDown();
    }
}
