package dev.lethe.perf;

import dev.lethe.core.erasure.ErasedSubjects;
import dev.lethe.core.erasure.ErasureFlow;
import dev.lethe.core.erasure.ForgetBatcher;
import dev.lethe.core.erasure.RequestDeduplicator;
import dev.lethe.core.events.DeletionRequestReader;
import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.requests.RocksSubjectIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Deletion requests per second through the daemon's own {@link ErasureFlow} on one thread, records
 * handed over in polls of {@value #POLL}, as the request listener does: parse, dedupe, the
 * {@code received} event with its HMAC pseudonym, the RocksDB lookup (the restart figure's index)
 * and batching, with one batch started and left running (as while a batch is unlearned). What
 * the Kafka shell adds (poll, transaction) is measured by the CLI's Kafka ingest figure.
 */
public final class IngestPerf {

    static final int POLL = 500;
    static final double GOAL = 20_000;
    public static final int MAX_BATCH_SAMPLES = 1_000;
    /** The pseudonyms of every perf index: the fixture's index is built and reopened with the same key. */
    public static final Pseudonymizer PSEUDONYMIZER =
            new Pseudonymizer("perf-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8));

    private IngestPerf() {
    }

    static List<Figure> run(PerfConfig config, Path indexDir, Consumer<String> progress, List<String> notes) {
        String section = "deletion-request ingest (ErasureFlow: parse, dedupe, received event, RocksDB lookup, "
                + "batching; no Kafka)";
        int subjects = IndexFixture.subjects(config.indexSamples());
        List<RequestStream.Record> records = RequestStream.generate(config.requests(), subjects, config.seed());
        Tally[] last = new Tally[1];
        try (RocksSubjectIndex index = RocksSubjectIndex.open(indexDir, PSEUDONYMIZER)) {
            int reps = Math.max(3, config.repetitions() / 3);
            progress.accept(String.format(Locale.ROOT, "ingest: %,d requests × %d repetitions", records.size(), reps));
            double[][] t = Timer.interleaved(1, reps, () -> last[0] = drive(flow(index), records));
            Tally tally = last[0];
            notes.add(String.format(Locale.ROOT, "ingest: per repetition %,d records: %,d accepted, %,d duplicates, "
                            + "%,d malformed; one batch started (≤ %,d samples), %,d requests waiting behind it; "
                            + "index of %,d samples, %,d subjects",
                    records.size(), tally.accepted, tally.duplicates, tally.dead, MAX_BATCH_SAMPLES, tally.waiting,
                    index.size(), subjects));
            List<Figure> f = new ArrayList<>();
            f.add(new Figure(section, "ingest.requests_per_s", "requests/s through ErasureFlow (sampleCount lookup)",
                    Stats.of(rates(records.size(), t[0])), "requests/s", Goal.atLeast(GOAL)));
            return f;
        }
    }

    /** A flow as the daemon assembles it, on the given index. */
    public static ErasureFlow flow(RocksSubjectIndex index) {
        Pseudonymizer pseudonymizer = PSEUDONYMIZER;
        return new ErasureFlow(new DeletionRequestReader(), new RequestDeduplicator(1_000_000),
                new ForgetBatcher(MAX_BATCH_SAMPLES, Duration.ofSeconds(60)), index,
                new ErasedSubjects(index, pseudonymizer), pseudonymizer, 0.6);
    }

    /** What one pass saw. */
    record Tally(long accepted, long duplicates, long dead, int waiting) {
    }

    static Tally drive(ErasureFlow flow, List<RequestStream.Record> records) {
        long accepted = 0;
        long duplicates = 0;
        long dead = 0;
        List<ErasureFlow.Inbound> poll = new ArrayList<>(POLL);
        for (int from = 0; from < records.size(); from += POLL) {
            Instant now = Instant.now();
            int to = Math.min(records.size(), from + POLL);
            poll.clear();
            for (int i = from; i < to; i++) {
                RequestStream.Record r = records.get(i);
                poll.add(new ErasureFlow.Inbound(r.key(), r.value(), r.headers(), i % IndexFixture.PARTITIONS, i));
            }
            ErasureFlow.Intake intake = flow.intake(poll, now);
            flow.acknowledged(intake);
            flow.startBatch(now);
            accepted += intake.accepted().size();
            duplicates += intake.duplicates();
            dead += intake.deadLetters().size();
        }
        return new Tally(accepted, duplicates, dead, flow.waitingCount());
    }

    public static double[] rates(int n, double[] seconds) {
        double[] r = new double[seconds.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = n / seconds[i];
        }
        return r;
    }
}
