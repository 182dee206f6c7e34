package dev.lethe.daemon.kafka;

import dev.lethe.daemon.config.DataLifetime;
import dev.lethe.daemon.config.LetheConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The topics Lethe reads and writes, with the partitioning and retention each needs. Created at
 * start when {@code lethe.kafka.create-topics} is on; in production the same shapes come from the
 * Strimzi {@code KafkaTopic} resources.
 */
public final class TopicSetup {

    /** Never delete: compliance records (pseudonyms only) and model lineage. */
    static final String FOREVER = "-1";

    /** One topic's shape. */
    public record Spec(String name, int partitions, Map<String, String> configs) {
    }

    private TopicSetup() {
    }

    /**
     * The topic specs for a configuration. The audit and model-version topics have one partition:
     * the audit hash chain and the version lineage are totally ordered. The topics that carry
     * personal data get bounded lifetimes ({@code lethe.retention.*}, docs/reliability.md).
     */
    public static List<Spec> specs(LetheConfig config) {
        LetheConfig.Topics t = config.topics();
        DataLifetime.Retention r = config.retention();
        int n = config.kafka().partitions();
        List<Spec> specs = new ArrayList<>();
        specs.add(new Spec(t.samples(), n, Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, ms(r.samplesMaxCompactionLag()),
                TopicConfig.SEGMENT_MS_CONFIG, ms(r.samplesSegment()),
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, Double.toString(r.samplesMinCleanableDirtyRatio()),
                TopicConfig.DELETE_RETENTION_MS_CONFIG, ms(r.samplesTombstone()))));
        specs.add(new Spec(t.deletionRequests(), n, deleteAfter(r.requests(), r.deleteSegment())));
        specs.add(new Spec(t.modelVersions(), 1, Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, FOREVER)));
        specs.add(new Spec(t.audit(), 1, Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, FOREVER)));
        // Retrain events name an artifact, a checksum and a position: no personal data, kept like requests.
        specs.add(new Spec(t.retrains(), 1, deleteAfter(r.requests(), r.deleteSegment())));
        for (String dlq : List.of(t.deletionRequestsDlq(), t.samplesDlq(), t.retrainsDlq())) {
            specs.add(new Spec(dlq, 1, deleteAfter(r.deadLetters(), r.deleteSegment())));
        }
        return specs;
    }

    private static Map<String, String> deleteAfter(Duration retention, Duration segment) {
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, ms(retention),
                TopicConfig.SEGMENT_MS_CONFIG, ms(segment));
    }

    private static String ms(Duration d) {
        return Long.toString(d.toMillis());
    }

    /** Creates the missing topics; existing ones are left as they are. */
    public static void createMissing(Admin admin, LetheConfig config) {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            Map<String, NewTopic> missing = new LinkedHashMap<>();
            for (Spec spec : specs(config)) {
                if (!existing.contains(spec.name())) {
                    missing.put(spec.name(), new NewTopic(spec.name(), spec.partitions(),
                            config.kafka().replicationFactor()).configs(spec.configs()));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            admin.createTopics(missing.values()).values().forEach((name, future) -> {
                try {
                    future.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause().getMessage(), e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topic " + name, e);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("timed out creating topic " + name, e);
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list topics at " + config.kafka().bootstrapServers() + ": " + e.getMessage(), e);
        }
    }
}
