package dev.lethe.core.requests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
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
 *   <li>{@code u/<subjectId>\0<sampleId>} → empty: membership, so {@link #samplesOf} is one prefix
 *       scan (NUL separates, so subject {@code a} never matches subject {@code a/b});</li>
 *   <li>{@code e/<subjectId>} → empty: the subject was erased;</li>
 *   <li>{@code o/<partition>} → next offset to read, int64;</li>
 *   <li>{@code m/size} → number of samples, int64, so {@link #size()} is exact;</li>
 *   <li>{@code p/<pool>/<sampleId>} → empty: the sample is a member of the pool ({@code r} retain,
 *       {@code h} holdout), so a restart reads the pools without scanning the samples;</li>
 *   <li>{@code m/pool/<pool>} → the pool's reservoir capacity (int32) and counter (int64); its
 *       presence says the pool is persisted (indexes written before pools were persisted have no
 *       {@code p/} or {@code m/pool/} keys, and the daemon then rebuilds the pools by a full scan).</li>
 * </ul>
 *
 * <p>Removing a sample (tombstone or erasure) deletes its pool keys in the same batch, so a pool
 * never names a sample the index no longer holds.
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
    private final ReadOptions readOptions = new ReadOptions();
    private final WriteOptions writeOptions = new WriteOptions();
    private final WriteOptions syncWriteOptions = new WriteOptions().setSync(true);
    private volatile long size;
    private volatile boolean closed;

    private RocksSubjectIndex(Options options, RocksDB db) {
        this.options = options;
        this.db = db;
        this.size = readLong(SIZE_KEY).orElse(0L);
    }

    /** Opens the index in {@code directory}, creating it if missing. */
    public static RocksSubjectIndex open(Path directory) {
        Objects.requireNonNull(directory, "directory");
        Options options = new Options()
                .setCreateIfMissing(true)
                .setKeepLogFileNum(5)
                .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10)));
        try {
            Files.createDirectories(directory);
            return new RocksSubjectIndex(options, RocksDB.open(options, directory.toString()));
        } catch (IOException e) {
            options.close();
            throw new UncheckedIOException(e);
        } catch (RocksDBException e) {
            options.close();
            throw storage("open " + directory, e);
        }
    }

    @Override
    public synchronized void apply(Consumer<Writes> writes) {
        Objects.requireNonNull(writes, "writes");
        checkOpen();
        try (WriteBatchWithIndex batch = new WriteBatchWithIndex(true)) {
            Group group = new Group(batch);
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
        } catch (RocksDBException e) {
            throw storage("write", e);
        }
    }

    @Override
    public List<StoredSample> samplesOf(String subjectId) {
        byte[] prefix = memberPrefix(subjectId);
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
        byte[] prefix = memberPrefix(subjectId);
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
        byte[] prefix = "s/".getBytes(StandardCharsets.UTF_8);
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
        return read(erasedKey(subjectId)).isPresent();
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
        db.close();
        readOptions.close();
        writeOptions.close();
        syncWriteOptions.close();
        options.close();
    }

    /** The writes of one group, staged in an indexed batch so that they can read each other. */
    private final class Group implements Writes {

        private final WriteBatchWithIndex batch;
        private long sizeDelta;
        private boolean erases;
        private boolean closed;

        Group(WriteBatchWithIndex batch) {
            this.batch = batch;
        }

        @Override
        public boolean put(StoredSample sample) {
            checkGroupOpen();
            Objects.requireNonNull(sample, "sample");
            try {
                if (batch.getFromBatchAndDB(db, readOptions, erasedKey(sample.subjectId())) != null) {
                    return false;
                }
                byte[] key = sampleKey(sample.sampleId());
                byte[] previous = batch.getFromBatchAndDB(db, readOptions, key);
                if (previous == null) {
                    sizeDelta++;
                } else {
                    String previousSubject = subjectOf(previous);
                    if (!previousSubject.equals(sample.subjectId())) {
                        batch.delete(memberKey(previousSubject, sample.sampleId()));
                    }
                }
                batch.put(key, encodeSample(sample));
                batch.put(memberKey(sample.subjectId(), sample.sampleId()), new byte[0]);
                return true;
            } catch (RocksDBException e) {
                throw storage("put", e);
            }
        }

        @Override
        public void removeSample(String sampleId) {
            checkGroupOpen();
            Objects.requireNonNull(sampleId, "sampleId");
            byte[] key = sampleKey(sampleId);
            try {
                byte[] previous = batch.getFromBatchAndDB(db, readOptions, key);
                if (previous != null) {
                    batch.delete(key);
                    batch.delete(memberKey(subjectOf(previous), sampleId));
                    deletePoolKeys(sampleId);
                    sizeDelta--;
                }
            } catch (RocksDBException e) {
                throw storage("remove sample", e);
            }
        }

        @Override
        public int removeSubject(String subjectId) {
            checkGroupOpen();
            byte[] prefix = memberPrefix(subjectId);
            List<String> ids = new ArrayList<>();
            try (RocksIterator base = db.newIterator(readOptions);
                    RocksIterator it = batch.newIteratorWithBase(base)) {
                for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                    ids.add(sampleIdOf(it.key(), prefix.length));
                }
                it.status();
            } catch (RocksDBException e) {
                throw storage("scan subject", e);
            }
            for (String sampleId : ids) {
                delete(sampleKey(sampleId));
                delete(memberKey(subjectId, sampleId));
                deletePoolKeys(sampleId);
            }
            sizeDelta -= ids.size();
            erases = true;
            return ids.size();
        }

        @Override
        public void markErased(String subjectId) {
            checkGroupOpen();
            stage(erasedKey(subjectId), new byte[0]);
            erases = true;
        }

        @Override
        public void commitOffset(int partition, long offset) {
            checkGroupOpen();
            InMemorySubjectIndex.checkOffset(partition, offset);
            stage(offsetKey(partition), longBytes(offset));
        }

        @Override
        public void addToPool(Pool pool, String sampleId) {
            checkGroupOpen();
            stage(poolKey(pool, sampleId), new byte[0]);
        }

        @Override
        public void removeFromPool(Pool pool, String sampleId) {
            checkGroupOpen();
            delete(poolKey(pool, sampleId));
        }

        @Override
        public void clearPool(Pool pool) {
            checkGroupOpen();
            byte[] prefix = poolPrefix(pool);
            List<byte[]> keys = new ArrayList<>();
            try (RocksIterator base = db.newIterator(readOptions);
                    RocksIterator it = batch.newIteratorWithBase(base)) {
                for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                    keys.add(it.key());
                }
                it.status();
            } catch (RocksDBException e) {
                throw storage("scan pool", e);
            }
            keys.forEach(this::delete);
            delete(poolCounterKey(pool));
        }

        @Override
        public void poolCounter(Pool pool, int capacity, long seen) {
            checkGroupOpen();
            if (capacity < 0 || seen < 0) {
                throw new IllegalArgumentException("capacity and seen must be >= 0, were " + capacity + ", " + seen);
            }
            stage(poolCounterKey(pool), ByteBuffer.allocate(Integer.BYTES + Long.BYTES).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(capacity).putLong(seen).array());
        }

        /** A removed sample leaves every pool in the same batch. */
        private void deletePoolKeys(String sampleId) {
            for (Pool pool : Pool.values()) {
                delete(poolKey(pool, sampleId));
            }
        }

        private void stage(byte[] key, byte[] value) {
            try {
                batch.put(key, value);
            } catch (RocksDBException e) {
                throw storage("stage put", e);
            }
        }

        private void delete(byte[] key) {
            try {
                batch.delete(key);
            } catch (RocksDBException e) {
                throw storage("stage delete", e);
            }
        }

        private void checkGroupOpen() {
            if (closed) {
                throw new IllegalStateException("writes used after apply() returned");
            }
        }
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

    private static UncheckedIOException storage(String what, RocksDBException e) {
        return new UncheckedIOException("RocksDB " + what + " failed: " + e.getMessage(), new IOException(e));
    }
}
