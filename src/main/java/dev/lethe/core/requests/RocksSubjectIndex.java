package dev.lethe.core.requests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.lethe.core.events.Pseudonymizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;

import static dev.lethe.core.requests.RocksLayout.*;

/**
 * The {@link SubjectIndex} on disk, in RocksDB, so that a restart resumes reading
 * {@code lethe.samples} from the stored offsets instead of replaying the whole topic.
 *
 * <p>One key space, told apart by prefixes (all strings UTF-8; built and decoded by
 * {@link RocksLayout}):
 * <ul>
 *   <li>{@code s/<sampleId>} → the sample: format byte, label, subject id, split, then the features
 *       as little-endian float32 (all numbers little-endian);</li>
 *   <li>{@code up/<subjectRef>\0<sampleId>} → empty: membership, so {@link #samplesOf} is one prefix
 *       scan (NUL separates; the pseudonyms all have 64 hex digits);</li>
 *   <li>{@code ep/<subjectRef>} → empty: the subject was erased. It outlives the erasure for good,
 *       so it names the subject only by its pseudonym;</li>
 *   <li>{@code o/<partition>} → next offset to read, int64;</li>
 *   <li>{@code m/size} → number of samples, int64, so {@link #size()} is exact;</li>
 *   <li>{@code p/<pool>/<sampleId>} → empty: the sample is a member of the pool ({@code r} retain,
 *       {@code h} holdout), so a restart reads the pools without scanning the samples;</li>
 *   <li>{@code m/pool/<pool>} → the pool's reservoir capacity (int32) and counter (int64); its
 *       presence says the pool is persisted (indexes written before pools were persisted have no
 *       {@code p/} or {@code m/pool/} keys, and the daemon then rebuilds the pools by a full scan).</li>
 * </ul>
 *
 * <p>{@code subjectRef} is the subject's {@link Pseudonymizer} reference, the one the audit trail
 * carries: no key holds a raw subject id (only a live sample's value does). Indexes written before
 * that ({@code e/<subjectId>}, {@code u/<subjectId>\0<sampleId>}) are migrated at open
 * ({@link LegacyKeyMigration}).
 *
 * <p>Removing a sample (tombstone or erasure) deletes its pool keys in the same batch, so a pool
 * never names a sample the index no longer holds; the removed keys are then compacted out of the
 * files ({@link ErasedKeyCompaction}), so the erased bytes do not wait for a compaction that may
 * never come.
 *
 * <p>A group of writes ({@link #apply}) is one {@link WriteBatchWithIndex}, written at once; reads
 * inside the group see its own writes. Groups that erase (mark a subject erased or remove its
 * samples) are fsynced, since the erasure is promised to the requester; others go to the WAL
 * without fsync: after a power loss they are simply re-read from the topic, because data and
 * offsets are lost or kept together. A point-lookup Bloom filter keeps the per-sample "already
 * there?" and "erased?" checks cheap.
 *
 * <p>Writes are serialised; reads may come from any thread.
 */
public final class RocksSubjectIndex implements SubjectIndex {

    static {
        RocksDB.loadLibrary();
    }


    private final Options options;
    private final RocksDB db;
    private final Pseudonymizer pseudonymizer;
    private final ErasedKeyCompaction compaction;
    private final ReadOptions readOptions = new ReadOptions();
    private final WriteOptions writeOptions = new WriteOptions();
    private final WriteOptions syncWriteOptions = new WriteOptions().setSync(true);
    private volatile long size;
    private volatile boolean closed;

    private RocksSubjectIndex(Options options, RocksDB db, Pseudonymizer pseudonymizer) {
        this.options = options;
        this.db = db;
        this.pseudonymizer = pseudonymizer;
        this.compaction = new ErasedKeyCompaction(db);
        this.size = readLong(SIZE_KEY).orElse(0L);
    }

    /** Opens the index in {@code directory} with snappy-compressed files, creating it if missing. */
    public static RocksSubjectIndex open(Path directory, Pseudonymizer pseudonymizer) {
        return open(directory, pseudonymizer, "snappy");
    }

    /**
     * Opens the index in {@code directory}, creating it if missing, and migrates raw-id keys of an
     * older index to pseudonyms.
     *
     * @param pseudonymizer the audit trail's: erased marks must match the pseudonyms it publishes
     * @param compression   block compression of new files: none | snappy | lz4 | zstd
     */
    public static RocksSubjectIndex open(Path directory, Pseudonymizer pseudonymizer, String compression) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(pseudonymizer, "pseudonymizer");
        Options options = new Options()
                .setCreateIfMissing(true)
                .setKeepLogFileNum(5)
                .setCompressionType(compressionType(compression))
                .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10)));
        RocksDB db = null;
        try {
            Files.createDirectories(directory);
            db = RocksDB.open(options, directory.toString());
            if (LegacyKeyMigration.run(db, pseudonymizer::pseudonymize) > 0) {
                // The MANIFEST still names the old files' first and last keys (raw ids); a reopen
                // writes a new one that describes only the live, migrated files.
                db.close();
                db = RocksDB.open(options, directory.toString());
            }
            return new RocksSubjectIndex(options, db, pseudonymizer);
        } catch (IOException e) {
            options.close();
            throw new UncheckedIOException(e);
        } catch (RocksDBException e) {
            if (db != null) {
                db.close();
            }
            options.close();
            throw storage("open " + directory, e);
        }
    }

    static CompressionType compressionType(String name) {
        return switch (Objects.requireNonNull(name, "compression")) {
            case "none" -> CompressionType.NO_COMPRESSION;
            case "snappy" -> CompressionType.SNAPPY_COMPRESSION;
            case "lz4" -> CompressionType.LZ4_COMPRESSION;
            case "zstd" -> CompressionType.ZSTD_COMPRESSION;
            default -> throw new IllegalArgumentException("index compression must be none, snappy, lz4 or zstd, was "
                    + name);
        };
    }

    /** Waits until the erased keys of every write so far are compacted out of the files (for tests and tools). */
    public void awaitErasedCompacted(Duration timeout) throws InterruptedException, TimeoutException {
        compaction.awaitIdle(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private String ref(String subjectId) {
        return pseudonymizer.pseudonymize(StoredSample.checkSubjectId(subjectId));
    }

    @Override
    public synchronized void apply(Consumer<Writes> writes) {
        Objects.requireNonNull(writes, "writes");
        checkOpen();
        try (WriteBatchWithIndex batch = new WriteBatchWithIndex(true)) {
            RocksWriteGroup group = new RocksWriteGroup(db, readOptions, batch, this::ref);
            try {
                writes.accept(group);
            } finally {
                group.closed = true;
            }
            if (batch.count() == 0) {
                return;
            }
            long newSize = size + group.sizeDelta;
            if (group.sizeDelta != 0) {
                batch.put(SIZE_KEY, longBytes(newSize));
            }
            db.write(group.erases ? syncWriteOptions : writeOptions, batch);
            size = newSize;
            compaction.schedule(group.removedKeys(), group.removedPrefixes());
        } catch (RocksDBException e) {
            throw storage("write", e);
        }
    }

    @Override
    public List<StoredSample> samplesOf(String subjectId) {
        byte[] prefix = memberPrefix(ref(subjectId));
        checkOpen();
        Snapshot snapshot = db.getSnapshot();
        try (Slice upper = new Slice(upperBound(prefix));
                ReadOptions ro = new ReadOptions().setSnapshot(snapshot).setIterateUpperBound(upper);
                RocksIterator it = db.newIterator(ro)) {
            List<String> ids = new ArrayList<>();
            List<byte[]> keys = new ArrayList<>();
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                String sampleId = sampleIdOf(it.key(), prefix.length);
                ids.add(sampleId);
                keys.add(sampleKey(sampleId));
            }
            it.status();
            if (keys.isEmpty()) {
                return List.of();
            }
            List<byte[]> values = db.multiGetAsList(ro, keys);
            List<StoredSample> result = new ArrayList<>(values.size());
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) != null) {
                    result.add(decodeSample(ids.get(i), values.get(i)));
                }
            }
            return result;
        } catch (RocksDBException e) {
            throw storage("read subject", e);
        } finally {
            db.releaseSnapshot(snapshot);
        }
    }

    /** A scan of the subject's membership keys only: no sample value is read. */
    @Override
    public int sampleCount(String subjectId) {
        byte[] prefix = memberPrefix(ref(subjectId));
        checkOpen();
        try (Slice upper = new Slice(upperBound(prefix));
                ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
                RocksIterator it = db.newIterator(ro)) {
            int n = 0;
            for (it.seek(prefix); it.isValid(); it.next()) {
                n++;
            }
            it.status();
            return n;
        } catch (RocksDBException e) {
            throw storage("count subject", e);
        }
    }

    @Override
    public void forEachSample(Consumer<StoredSample> action) {
        Objects.requireNonNull(action, "action");
        checkOpen();
        byte[] prefix = SAMPLE.getBytes(StandardCharsets.UTF_8);
        Snapshot snapshot = db.getSnapshot();
        try (Slice upper = new Slice(upperBound(prefix));
                ReadOptions ro = new ReadOptions().setSnapshot(snapshot).setIterateUpperBound(upper);
                RocksIterator it = db.newIterator(ro)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] key = it.key();
                String sampleId = new String(key, prefix.length, key.length - prefix.length, StandardCharsets.UTF_8);
                action.accept(decodeSample(sampleId, it.value()));
            }
            it.status();
        } catch (RocksDBException e) {
            throw storage("scan samples", e);
        } finally {
            db.releaseSnapshot(snapshot);
        }
    }

    @Override
    public Optional<PoolState> pool(Pool pool) {
        Objects.requireNonNull(pool, "pool");
        checkOpen();
        byte[] prefix = poolPrefix(pool);
        Snapshot snapshot = db.getSnapshot();
        try (Slice upper = new Slice(upperBound(prefix));
                ReadOptions ro = new ReadOptions().setSnapshot(snapshot).setIterateUpperBound(upper);
                RocksIterator it = db.newIterator(ro)) {
            byte[] counter = db.get(ro, poolCounterKey(pool));
            if (counter == null) {
                return Optional.empty();
            }
            ByteBuffer buf = ByteBuffer.wrap(counter).order(ByteOrder.LITTLE_ENDIAN);
            int capacity = buf.getInt();
            long seen = buf.getLong();
            List<String> ids = new ArrayList<>();
            List<byte[]> keys = new ArrayList<>();
            for (it.seek(prefix); it.isValid(); it.next()) {
                String sampleId = sampleIdOf(it.key(), prefix.length);
                ids.add(sampleId);
                keys.add(sampleKey(sampleId));
            }
            it.status();
            List<StoredSample> members = new ArrayList<>(ids.size());
            if (!keys.isEmpty()) {
                List<byte[]> values = db.multiGetAsList(ro, keys);
                for (int i = 0; i < values.size(); i++) {
                    if (values.get(i) != null) {
                        members.add(decodeSample(ids.get(i), values.get(i)));
                    }
                }
            }
            return Optional.of(new PoolState(capacity, seen, members));
        } catch (RocksDBException e) {
            throw storage("read pool", e);
        } finally {
            db.releaseSnapshot(snapshot);
        }
    }

    @Override
    public Optional<StoredSample> get(String sampleId) {
        Objects.requireNonNull(sampleId, "sampleId");
        return read(sampleKey(sampleId)).map(v -> decodeSample(sampleId, v));
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean isErased(String subjectId) {
        return read(erasedKey(ref(subjectId))).isPresent();
    }

    @Override
    public Optional<Long> committedOffset(int partition) {
        return readLong(offsetKey(partition));
    }

    /** Releases the database; idempotent. Call once readers have stopped. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        compaction.close();
        db.close();
        readOptions.close();
        writeOptions.close();
        syncWriteOptions.close();
        options.close();
    }

    // ---- reads -------------------------------------------------------------------------------

    private Optional<byte[]> read(byte[] key) {
        checkOpen();
        try {
            return Optional.ofNullable(db.get(readOptions, key));
        } catch (RocksDBException e) {
            throw storage("read", e);
        }
    }

    private Optional<Long> readLong(byte[] key) {
        return read(key).map(v -> ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("index is closed");
        }
    }

    static UncheckedIOException storage(String what, RocksDBException e) {
        return new UncheckedIOException("RocksDB " + what + " failed: " + e.getMessage(), new IOException(e));
    }
}
