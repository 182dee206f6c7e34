package dev.lethe.daemon.config;

import dev.lethe.core.events.EventTypes;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting of the daemon, under the {@code lethe.} prefix. Each key can be overridden by an
 * environment variable ({@code lethe.batch.max-samples} → {@code LETHE_BATCH_MAX_SAMPLES}) or a
 * {@code -D} system property. Defaults suit the embedded single-node story; production sets at
 * least the bootstrap servers, the data directory and the audit secret.
 */
@ConfigMapping(prefix = "lethe")
public interface LetheConfig {

    /** The model this instance unlearns: one daemon (and one transactional id) per model. */
    Model model();

    /** Where the artifact registry and the subject index live; a persistent volume in production. */
    @WithName("data-dir")
    @WithDefault("lethe-data")
    Path dataDir();

    Kafka kafka();

    Topics topics();

    Ingest ingest();

    Batch batch();

    Unlearning unlearning();

    Verify verify();

    Drift drift();

    Rebase rebase();

    Audit audit();

    Api api();

    DataLifetime.Retention retention();

    DataLifetime.Index index();

    DataLifetime.Registry registry();

    interface Model {
        /** Model name: the key of its version events and part of the transactional id. */
        @WithDefault("fashion-cnn")
        String name();

        /**
         * The trained model registered as version 1 on the very first start: a Lethe artifact
         * (written by {@code lethe train}/{@code demo}) or a DJL {@code <name>-NNNN.params} file of
         * a built-in architecture (see {@code architecture}, {@code input-shape}, {@code classes}).
         * Ignored once a version is published.
         */
        @WithName("initial-path")
        Optional<Path> initialPath();

        /**
         * Where to fetch the initial model when {@code initial-path} is not set: {@code https://} or
         * {@code http://} (S3-compatible storage through a presigned HTTPS URL), or {@code file://}.
         * Fetched once into {@code <data-dir>/initial/} and checked against {@code initial-sha256}
         * before use. Ignored once a version is published.
         */
        @WithName("initial-uri")
        Optional<String> initialUri();

        /** SHA-256 (hex) the initial model fetched from {@code initial-uri} must have. */
        @WithName("initial-sha256")
        Optional<String> initialSha256();

        /** Architecture of a DJL {@code .params} initial model: cnn | mlp. */
        @WithDefault("cnn")
        String architecture();

        /** Input shape of a DJL {@code .params} initial model, e.g. 1,28,28. */
        @WithName("input-shape")
        @WithDefault("1,28,28")
        java.util.List<Integer> inputShape();

        /** Classes of a DJL {@code .params} initial model. */
        @WithDefault("10")
        int classes();

        /** auto (GPU when the engine reports one) | cpu | gpu. */
        @WithDefault("auto")
        String device();
    }

    interface Kafka {
        @WithName("bootstrap-servers")
        @WithDefault("localhost:9092")
        String bootstrapServers();

        /** Create missing topics at start with the right cleanup policies (needs the ACL). */
        @WithName("create-topics")
        @WithDefault("true")
        boolean createTopics();

        /** Partitions of topics this instance creates. */
        @WithDefault("3")
        int partitions();

        /** Replication factor of topics this instance creates. */
        @WithName("replication-factor")
        @WithDefault("1")
        short replicationFactor();

        /** Consumer group of the request listener; defaults to {@code lethe-<model>}. */
        @WithName("group-id")
        Optional<String> groupId();

        /** Transactional id of the publisher; defaults to {@code lethe-<model>}: a second instance fences the first. */
        @WithName("transactional-id")
        Optional<String> transactionalId();

        /** Producer transaction timeout; a transaction only spans publishing, never unlearning. */
        @WithName("transaction-timeout")
        @WithDefault("60s")
        Duration transactionTimeout();

        /**
         * Any Kafka client property, passed unchanged to every consumer, producer and admin client
         * (e.g. {@code lethe.kafka.client."security.protocol"=SASL_SSL}).
         */
        @WithName("client")
        Map<String, String> client();
    }

    interface Topics {
        @WithDefault(EventTypes.SAMPLES_TOPIC)
        String samples();

        @WithName("deletion-requests")
        @WithDefault(EventTypes.DELETION_REQUESTS_TOPIC)
        String deletionRequests();

        @WithName("model-versions")
        @WithDefault(EventTypes.MODEL_VERSIONS_TOPIC)
        String modelVersions();

        @WithDefault(EventTypes.AUDIT_TOPIC)
        String audit();

        /** Dead letters of the requests topic, each with a {@code dead-letter-reason} header. */
        @WithName("deletion-requests-dlq")
        @WithDefault(EventTypes.DELETION_REQUESTS_DLQ_TOPIC)
        String deletionRequestsDlq();

        /** Dead letters of the samples topic. */
        @WithName("samples-dlq")
        @WithDefault(EventTypes.SAMPLES_DLQ_TOPIC)
        String samplesDlq();

        /** Retrained models from the training pipeline ({@code dev.lethe.model.retrained}), to rebase onto. */
        @WithDefault(EventTypes.RETRAINS_TOPIC)
        String retrains();

        /** Dead letters of the retrains topic. */
        @WithName("retrains-dlq")
        @WithDefault(EventTypes.RETRAINS_DLQ_TOPIC)
        String retrainsDlq();
    }

    interface Ingest {
        /** Largest deletion-request value accepted; larger ones go to the DLQ. */
        @WithName("max-request-bytes")
        @WithDefault("65536")
        int maxRequestBytes();

        /** Largest sample value accepted. */
        @WithName("max-sample-bytes")
        @WithDefault("1048576")
        int maxSampleBytes();

        /** Size of the retain buffer: a reservoir sample of the train samples seen. */
        @WithName("retain-size")
        @WithDefault("500")
        int retainSize();

        /** Holdout samples kept for verification (half guides unlearning, half is attacked). */
        @WithName("holdout-size")
        @WithDefault("1000")
        int holdoutSize();

        @WithDefault("1")
        long seed();

        /**
         * A pool (retain buffer or holdout set) that erasures leave below this fraction of its
         * size is refilled from the samples already indexed, by one background scan of the index;
         * 0 turns refills off (new samples then refill the pools as they arrive).
         */
        @WithName("top-up-below")
        @WithDefault("0.5")
        double topUpBelow();

        /** Completed request ids remembered in memory for deduplication (the audit topic is the durable record). */
        @WithName("dedupe-capacity")
        @WithDefault("1000000")
        int dedupeCapacity();
    }

    interface Batch {
        /** A forget batch closes when its samples would exceed this. */
        @WithName("max-samples")
        @WithDefault("200")
        int maxSamples();

        /** …or when its oldest request has waited this long. */
        @WithDefault("10s")
        Duration linger();
    }

    interface Unlearning {
        /** per-tensor (the paper's projection) | global (one basis over all parameters). */
        @WithDefault("global")
        String projection();

        @WithName("max-steps")
        @WithDefault("100")
        int maxSteps();

        @WithName("learning-rate")
        @WithDefault("0.001")
        double learningRate();

        /** Weight of the retain term in θ ← θ − lr·(α·g_r − (1−α)·g⊥). */
        @WithDefault("0.5")
        double alpha();

        @WithName("retain-batch")
        @WithDefault("32")
        int retainBatch();

        /**
         * match-log (bounded: push forget losses to the quantiles of unseen losses, measured in
         * log-loss) | match (the same in plain loss) | ascent (the paper's, unbounded).
         */
        @WithDefault("match-log")
        String objective();

        /** indistinguishable | accuracy | budget. */
        @WithDefault("indistinguishable")
        String stop();

        /**
         * λ: weight of the function anchor in the retain term, the KL divergence from the current
         * model's outputs on the run's reference images (half of the holdout pool, never trained on)
         * to the unlearned model's; it keeps accuracy on unseen data from falling with the forget
         * set. 0 turns it off.
         */
        @WithDefault("20")
        double anchor();

        /**
         * Regex over the model's parameter names: only matching tensors are unlearned, and the layers
         * in front of the first match run once per sample instead of every step. Linear = the dense
         * layers (for cnn the convolutions stay as trained, ≈ 8× cheaper steps); .* = every tensor.
         */
        @WithDefault("Linear")
        String parameters();
    }

    interface Verify {
        /**
         * calibrated: the loss attack and RMIA judged against K reference models that never saw the
         * forget set; a batch no attack can judge is escalated as insufficient evidence (ADR 0012).
         * absolute: the loss attack's AUC at or below mia-threshold; for tests and demos only.
         */
        @WithDefault("calibrated")
        String gate();

        /** absolute gate only: the loss attack's AUC (forget vs holdout) must be at or below this. */
        @WithName("mia-threshold")
        @WithDefault("0.6")
        double miaThreshold();

        /** calibrated gate: an attack passes up to the references' mean AUC plus z spreads. */
        @WithDefault("1.96")
        double z();

        /** calibrated gate: RMIA reference heads, each trained on a random half of retain buffer + reference holdout. */
        @WithName("reference-models")
        @WithDefault("8")
        int referenceModels();

        /**
         * calibrated gate: the reference models are heads on the layers in front of the first tensor
         * this matches; unset, the unlearned tensors ({@code lethe.unlearning.parameters}), so the
         * reference heads are the same layers the unlearning changes (PyTorch names for a team's model).
         */
        @WithName("reference-pattern")
        java.util.Optional<String> referencePattern();

        /** Forget accuracy may exceed holdout accuracy by at most this. */
        @WithName("forget-accuracy-tolerance")
        @WithDefault("0.05")
        double forgetAccuracyTolerance();

        /** Holdout accuracy may fall at most this far below the current model's. */
        @WithName("max-accuracy-drop")
        @WithDefault("0.05")
        double maxAccuracyDrop();
    }

    /**
     * The drift budget: approximate erasures move the deployed model away from what a retrain would
     * give. Past either budget, counted since the base model, Lethe publishes one
     * {@code dev.lethe.retrain.required} audit event with reason {@code budget:…}.
     */
    interface Drift {
        /** Cumulative fall of holdout accuracy since the base model (sum of the gate's per-version changes); 0 = off. */
        @WithName("max-accuracy-drop")
        @WithDefault("0.02")
        double maxAccuracyDrop();

        /** Share of the base model's training samples erased since; 0 = off. */
        @WithName("max-erased-fraction")
        @WithDefault("0.1")
        double maxErasedFraction();
    }

    /** Rebasing onto a retrained model (ADR 0015). */
    interface Rebase {
        /**
         * How long the samples of each erasure stay quarantined (encrypted under a per-batch key that
         * is then destroyed) so that a retrain from a snapshot taken before the erasure can still be
         * rebased: a retrain that misses an erasure older than this is refused. At most P30D (the
         * GDPR month); PT0S keeps nothing, and then any retrain that misses an erasure is refused.
         */
        @WithName("quarantine-for")
        @WithDefault("P7D")
        java.time.Duration quarantineFor();
    }

    interface Audit {
        /**
         * HMAC key for subject pseudonyms (≥ 16 bytes). Keep it secret and stable: changing it
         * breaks the link between old audit events and subjects. When unset, a random key is
         * generated once into the data directory (fine for a single dev node, not for a cluster).
         */
        @WithName("hmac-secret")
        Optional<String> hmacSecret();
    }

    interface Api {
        /**
         * API key required by the REST write endpoint ({@code X-API-Key} header or
         * {@code Authorization: Bearer}); when unset the endpoint is open (dev only).
         */
        @WithName("key")
        Optional<String> key();
    }

    /** The consumer group of the request listener. */
    default String groupId() {
        return kafka().groupId().orElse("lethe-" + model().name());
    }

    /** The transactional id of the publisher. */
    default String transactionalId() {
        return kafka().transactionalId().orElse("lethe-" + model().name());
    }
}
