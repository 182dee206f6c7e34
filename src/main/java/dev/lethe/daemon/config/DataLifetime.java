package dev.lethe.daemon.config;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The settings of {@link LetheConfig} that bound how long personal data lives after an erasure:
 * topic retention and compaction, the subject index's files, superseded model artifacts.
 */
public interface DataLifetime {

    /**
     * How long personal data may outlive its erasure on the topics Lethe creates (docs/reliability.md,
     * "GDPR: where personal data lives"). Applied when Lethe creates the topics and mirrored in the
     * Strimzi {@code KafkaTopic} resources; a topic that already exists keeps its settings.
     */
    interface Retention {
        /**
         * {@code max.compaction.lag.ms} of {@code lethe.samples}: a replaced or tombstoned sample's
         * original becomes compactable at most this long after it was written.
         */
        @WithName("samples-max-compaction-lag")
        @WithDefault("PT12H")
        Duration samplesMaxCompactionLag();

        /**
         * {@code segment.ms} of {@code lethe.samples}: the cleaner never touches the active segment,
         * so this bounds how long a tombstone waits there (the roll happens on the next append).
         */
        @WithName("samples-segment")
        @WithDefault("PT1H")
        Duration samplesSegment();

        /** {@code min.cleanable.dirty.ratio} of {@code lethe.samples}: compact early when a tenth is dirty. */
        @WithName("samples-min-cleanable-dirty-ratio")
        @WithDefault("0.1")
        double samplesMinCleanableDirtyRatio();

        /**
         * {@code delete.retention.ms} of {@code lethe.samples}: how long a tombstone itself stays
         * (it carries the sample id only); a reader further behind than this may miss a removal.
         */
        @WithName("samples-tombstone")
        @WithDefault("PT24H")
        Duration samplesTombstone();

        /**
         * {@code retention.ms} of {@code lethe.deletion-requests} (its records carry raw subject ids):
         * long enough to ride out an outage, short enough that a handled request's id does not linger.
         */
        @WithName("requests")
        @WithDefault("P14D")
        Duration requests();

        /** {@code retention.ms} of both dead-letter topics (raw records an operator must look at). */
        @WithName("dead-letters")
        @WithDefault("P14D")
        Duration deadLetters();

        /**
         * {@code segment.ms} of the requests and dead-letter topics: retention deletes whole segments,
         * so a record lives at most its retention plus this.
         */
        @WithName("delete-segment")
        @WithDefault("PT24H")
        Duration deleteSegment();
    }

    interface Index {
        /**
         * Block compression of the subject index's files: none | snappy | lz4 | zstd. none makes the
         * files byte-searchable, as the remnant test needs; erased data is removed either way.
         */
        @WithDefault("snappy")
        String compression();
    }

    interface Registry {
        /**
         * A model version's artifact is deleted this long after a newer version became current
         * (with a {@code dev.lethe.model.version.retired} audit event); the current version and its
         * parent are always kept. A superseded artifact still encodes the erased subjects.
         */
        @WithName("retire-after")
        @WithDefault("P7D")
        Duration retireAfter();

        /** Versions never retired (e.g. one kept for a legal hold or an investigation). */
        @WithName("pinned")
        Optional<List<Long>> pinned();
    }

}
