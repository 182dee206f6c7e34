package dev.lethe.core.rebase;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.lethe.core.data.Sample;
import dev.lethe.core.registry.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A bounded, encrypted store of the samples each erased batch forgot, kept so that a retrained model
 * whose snapshot predates the erasure can have it re-applied (ADR 0015, option 3).
 *
 * <p>Each batch is encrypted under its own random AES-256 key ({@link SampleCipher}); destroying the key
 * (crypto-shredding: overwritten with zeros, fsynced, deleted) ends the samples. A batch lives at most
 * {@code keepFor} (≤ 30 days). When it is shredded, its tombstone ends fold into the {@link #horizon}: a
 * retrain below the horizon misses an erasure that can no longer be re-applied, and is refused.
 *
 * <p>Layout under {@code dir}: {@code state.json} (horizon and base position) and, per batch,
 * {@code batches/<batchId>.json} (metadata: request ids, tombstone ends, completion time, sample
 * count — no subject or sample id), {@code .data} (IV + ciphertext) and {@code .key}. Every file is
 * written atomically. Thread-safe.
 */
public final class Quarantine {

    /** The longest a batch may be kept: the GDPR month. */
    public static final Duration MAX_KEEP_FOR = Duration.ofDays(30);
    private static final Pattern BATCH_ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final String META = ".json";
    private static final String DATA = ".data";
    private static final String KEY = ".key";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A quarantined batch's ciphertext does not verify: it was tampered with or is corrupt. */
    public static final class IntegrityException extends IOException {
        public IntegrityException(String message) {
            super(message);
        }
    }

    /**
     * A sealed batch: its transaction committed at {@code completedAt}; {@code tombstoneEnd} is, per
     * samples partition, its largest tombstone offset + 1.
     */
    public record Entry(String batchId, List<String> requestIds, Map<Integer, Long> tombstoneEnd,
            Instant completedAt, int samples) {
        public Entry {
            checkBatchId(batchId);
            requestIds = List.copyOf(requestIds);
            tombstoneEnd = RetrainEvent.position(tombstoneEnd, "tombstoneEnd");
            Objects.requireNonNull(completedAt, "completedAt");
        }

        /** Whether a retrain from {@code position} already lacks this batch's samples. */
        public boolean honouredBy(Map<Integer, Long> position) {
            return tombstoneEnd.entrySet().stream().allMatch(t -> t.getValue() <= RebasePlan.at(position, t.getKey()));
        }
    }

    /** What is persisted per batch; {@code sealed} false until the batch's transaction committed. */
    record Meta(String batchId, boolean sealed, int samples, List<String> requestIds,
            Map<Integer, Long> tombstoneEnd, String completedAt) {
    }

    /** What is persisted for the whole quarantine. */
    record State(Map<Integer, Long> horizon, Map<Integer, Long> basePosition) {
    }

    private final Path batches;
    private final Path stateFile;
    private final Duration keepFor;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> staged = new TreeSet<>();
    private final Set<String> droppedAtOpen = new TreeSet<>();
    private final Map<Integer, Long> horizon = new TreeMap<>();
    private final Map<Integer, Long> basePosition = new TreeMap<>();

    /**
     * Opens (or creates) the quarantine in {@code dir}: unsealed leftovers of a crash before commit are
     * deleted, sealed batches loaded.
     */
    public Quarantine(Path dir, Duration keepFor, Clock clock) throws IOException {
        this.keepFor = Objects.requireNonNull(keepFor, "keepFor");
        if (keepFor.isNegative() || keepFor.compareTo(MAX_KEEP_FOR) > 0) {
            throw new IllegalArgumentException("keepFor must be between 0 and 30 days, was " + keepFor);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.batches = Files.createDirectories(dir.resolve("batches"));
        this.stateFile = dir.resolve("state.json");
        if (Files.exists(stateFile)) {
            State state = JSON.readValue(stateFile.toFile(), State.class);
            raise(horizon, state.horizon());
            raise(basePosition, state.basePosition());
        }
        load();
    }

    /** Encrypts and keeps a batch's forgotten samples until {@link #seal} or {@link #discard}; no-op if keepFor is 0. */
    public synchronized void stage(String batchId, List<Sample> samples) throws IOException {
        checkBatchId(batchId);
        if (keepFor.isZero()) {
            return;
        }
        if (staged.contains(batchId) || entry(batchId) != null) {
            throw new IllegalStateException("batch " + batchId + " is already quarantined");
        }
        byte[] key = SampleCipher.newKey(random);
        byte[] data = SampleCipher.encrypt(samples, key, batchId, random);
        writeMeta(new Meta(batchId, false, samples.size(), List.of(), Map.of(), null));
        AtomicFiles.write(file(batchId, DATA), data);
        AtomicFiles.write(file(batchId, KEY), key);
        Arrays.fill(key, (byte) 0);
        staged.add(batchId);
    }

    /**
     * The batch's transaction committed. Without a staged batch (keepFor 0) its tombstone ends fold
     * straight into the horizon: it cannot be re-applied.
     */
    public synchronized void seal(String batchId, List<String> requestIds, Map<Integer, Long> tombstoneEnd,
            Instant completedAt) throws IOException {
        checkBatchId(batchId);
        if (!staged.contains(batchId)) {
            raiseHorizon(tombstoneEnd);
            return;
        }
        Meta staged = JSON.readValue(file(batchId, META).toFile(), Meta.class);
        Entry entry = new Entry(batchId, requestIds, tombstoneEnd, completedAt, staged.samples());
        writeMeta(new Meta(batchId, true, entry.samples(), entry.requestIds(), entry.tombstoneEnd(),
                completedAt.toString()));
        this.staged.remove(batchId);
        entries.add(entry);
        entries.sort(COMPLETION_ORDER);
    }

    /** A staged batch that was not published: everything of it is deleted. */
    public synchronized void discard(String batchId) throws IOException {
        checkBatchId(batchId);
        if (entry(batchId) != null) {
            throw new IllegalStateException("batch " + batchId + " is sealed: it was published");
        }
        deleteFiles(batchId);
        staged.remove(batchId);
    }

    /**
     * The batches that were staged but unsealed when this quarantine was opened, whose files were
     * deleted. A crash between a batch's commit and its {@link #seal} looks the same as one before the
     * commit: the caller should check these against what it committed and {@link #raiseHorizon} for any
     * that did commit (they can no longer be re-applied).
     */
    public synchronized Set<String> droppedAtOpen() {
        return Set.copyOf(droppedAtOpen);
    }

    /** The sealed batches, in completion order. */
    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /**
     * A batch's samples, decrypted.
     *
     * @throws IntegrityException if the ciphertext was tampered with
     * @throws NoSuchFileException if the batch is not (or no longer) quarantined
     */
    public synchronized List<Sample> open(String batchId) throws IOException {
        checkBatchId(batchId);
        byte[] key = Files.readAllBytes(file(batchId, KEY));
        try {
            return SampleCipher.decrypt(Files.readAllBytes(file(batchId, DATA)), key, batchId);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * Shreds the batches completed before now − keepFor, folding their tombstone ends into the horizon
     * (persisted first, so that a crash cannot lose the fold).
     *
     * @return how many batches were shredded
     */
    public synchronized int shredExpired() throws IOException {
        Instant cutoff = clock.instant().minus(keepFor);
        List<Entry> expired = entries.stream().filter(e -> e.completedAt().isBefore(cutoff)).toList();
        if (expired.isEmpty()) {
            return 0;
        }
        expired.forEach(e -> raise(horizon, e.tombstoneEnd()));
        writeState();
        for (Entry e : expired) {
            deleteFiles(e.batchId());
            entries.remove(e);
        }
        return expired.size();
    }

    /** Per partition, the largest tombstone end of any erasure that can no longer be re-applied. */
    public synchronized Map<Integer, Long> horizon() {
        return Map.copyOf(horizon);
    }

    /** Raises the horizon to at least {@code atLeast} (quarantine enabled on a deployment that already erased). */
    public synchronized void raiseHorizon(Map<Integer, Long> atLeast) throws IOException {
        raise(horizon, RetrainEvent.position(atLeast, "horizon"));
        writeState();
    }

    /** The samples position of the retrain the current base came from; empty until one is adopted. */
    public synchronized Map<Integer, Long> basePosition() {
        return Map.copyOf(basePosition);
    }

    /** A retrain from {@code position} became the base: the batches it honours are shredded, the others stay. */
    public synchronized void adopted(Map<Integer, Long> position) throws IOException {
        Map<Integer, Long> checked = RetrainEvent.position(position, "position");
        basePosition.clear();
        basePosition.putAll(checked);
        writeState();
        List<Entry> honoured = entries.stream().filter(e -> e.honouredBy(checked)).toList();
        for (Entry e : honoured) {
            deleteFiles(e.batchId());
            entries.remove(e);
        }
    }

    private static final Comparator<Entry> COMPLETION_ORDER =
            Comparator.comparing(Entry::completedAt).thenComparing(Entry::batchId);

    private void load() throws IOException {
        Set<String> names = new TreeSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(batches)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(AtomicFiles.TEMP_SUFFIX)) {
                    shred(f); // an interrupted write: may be a key
                } else if (name.lastIndexOf('.') > 0) {
                    names.add(name.substring(0, name.lastIndexOf('.')));
                }
            }
        }
        for (String batchId : names) {
            Meta meta = readMeta(batchId);
            boolean complete = Files.exists(file(batchId, KEY)) && Files.exists(file(batchId, DATA));
            if (meta != null && meta.sealed() && complete) {
                entries.add(new Entry(batchId, meta.requestIds(), meta.tombstoneEnd(),
                        Instant.parse(meta.completedAt()), meta.samples()));
            } else {
                if (meta != null && meta.sealed()) {
                    raise(horizon, meta.tombstoneEnd()); // a shred interrupted after the key went
                    writeState();
                } else if (BATCH_ID.matcher(batchId).matches()) {
                    droppedAtOpen.add(batchId);
                }
                deleteFiles(batchId);
            }
        }
        entries.sort(COMPLETION_ORDER);
    }

    private Meta readMeta(String batchId) {
        try {
            return BATCH_ID.matcher(batchId).matches() ? JSON.readValue(file(batchId, META).toFile(), Meta.class) : null;
        } catch (IOException e) {
            return null; // missing or unreadable: an unsealed leftover
        }
    }

    private Entry entry(String batchId) {
        return entries.stream().filter(e -> e.batchId().equals(batchId)).findFirst().orElse(null);
    }

    private void writeMeta(Meta meta) throws IOException {
        AtomicFiles.write(file(meta.batchId(), META), JSON.writeValueAsBytes(meta));
    }

    private void writeState() throws IOException {
        AtomicFiles.write(stateFile, JSON.writeValueAsBytes(new State(horizon, basePosition)));
    }

    /** Key first (crypto-shredding), then the ciphertext, the metadata last. */
    private void deleteFiles(String batchId) throws IOException {
        shred(file(batchId, KEY));
        Files.deleteIfExists(file(batchId, DATA));
        Files.deleteIfExists(file(batchId, META));
        AtomicFiles.fsyncDirectory(batches);
    }

    /** Overwrites a file with zeros, fsyncs it, deletes it. */
    private static void shred(Path file) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(channel.size(), Integer.MAX_VALUE));
            while (zeros.hasRemaining()) {
                channel.write(zeros);
            }
            channel.force(true);
        }
        Files.delete(file);
    }

    private Path file(String batchId, String extension) {
        return batches.resolve(batchId + extension);
    }

    private static void raise(Map<Integer, Long> target, Map<Integer, Long> atLeast) {
        if (atLeast != null) {
            atLeast.forEach((p, o) -> target.merge(p, o, Math::max));
        }
    }

    private static void checkBatchId(String batchId) {
        if (batchId == null || !BATCH_ID.matcher(batchId).matches()) {
            throw new IllegalArgumentException("batch ids are 1-100 characters of [A-Za-z0-9._-]");
        }
    }
}
