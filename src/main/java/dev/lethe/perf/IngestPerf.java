package dev.lethe.perf;

import dev.lethe.core.requests.RocksSubjectIndex;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Deletion requests per second through parse, dedupe, index lookup (RocksDB, the restart
 * figure's index) and batching on one thread, records handed over in polls of {@value #POLL}, as
 * a consumer would; both index lookups side by side.
 */
final class IngestPerf {

    static final int POLL = 500;
    static final double GOAL = 20_000;
    static final int MAX_BATCH_SAMPLES = 1_000;

    private IngestPerf() {
    }

    static List<Figure> run(PerfConfig config, Path indexDir, Consumer<String> progress, List<String> notes) {
        String section = "deletion-request ingest (parse, dedupe, RocksDB lookup, batching; no Kafka)";
        int subjects = IndexFixture.subjects(config.indexSamples());
        List<RequestStream.Record> records = RequestStream.generate(config.requests(), subjects, config.seed());
        IngestPipeline[] last = new IngestPipeline[2];
        try (RocksSubjectIndex index = RocksSubjectIndex.open(indexDir)) {
            Runnable[] tasks = new Runnable[2];
            IngestPipeline.Lookup[] lookups = IngestPipeline.Lookup.values();
            for (int k = 0; k < 2; k++) {
                int kk = k;
                tasks[k] = () -> last[kk] = drive(new IngestPipeline(index, lookups[kk], MAX_BATCH_SAMPLES,
                        Duration.ofSeconds(60)), records);
            }
            int reps = Math.max(3, config.repetitions() / 3);
            progress.accept(String.format(Locale.ROOT, "ingest: %,d requests × %d repetitions per lookup", records.size(), reps));
            double[][] t = Timer.interleaved(1, reps, tasks);
            double[] countRate = rates(records.size(), t[0]);
            double[] samplesRate = rates(records.size(), t[1]);
            IngestPipeline p = last[0];
            notes.add(String.format(Locale.ROOT, "ingest: per repetition %,d records: %,d accepted, %,d duplicates, %,d malformed, "
                            + "%,d batches closed (≤ %,d samples each), %,d still pending; index of %,d samples, %,d subjects",
                    records.size(), p.accepted(), p.duplicates(), p.rejected(), p.batches(), MAX_BATCH_SAMPLES, p.pending(),
                    index.size(), subjects));
            List<Figure> f = new ArrayList<>();
            f.add(new Figure(section, "ingest.requests_per_s", "requests/s, subject size by key count (sampleCount)",
                    Stats.of(countRate), "requests/s", Goal.atLeast(GOAL)));
            f.add(new Figure(section, "ingest.requests_per_s_samplesOf", "requests/s, subject size by reading its samples (samplesOf)",
                    Stats.of(samplesRate), "requests/s", Goal.atLeast(GOAL)));
            return f;
        }
    }

    static IngestPipeline drive(IngestPipeline pipeline, List<RequestStream.Record> records) {
        for (int from = 0; from < records.size(); from += POLL) {
            Instant now = Instant.now();
            int to = Math.min(records.size(), from + POLL);
            for (int i = from; i < to; i++) {
                RequestStream.Record r = records.get(i);
                pipeline.accept(r.key(), r.value(), r.headers(), i % IndexFixture.PARTITIONS, i, now);
            }
            pipeline.endOfPoll(now);
        }
        return pipeline;
    }

    static double[] rates(int n, double[] seconds) {
        double[] r = new double[seconds.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = n / seconds[i];
        }
        return r;
    }
}
