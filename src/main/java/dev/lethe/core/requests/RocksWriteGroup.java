package dev.lethe.core.requests;

import dev.lethe.core.requests.SubjectIndex.Pool;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

import static dev.lethe.core.requests.RocksLayout.*;

/**
 * The writes of one {@link RocksSubjectIndex#apply} group, staged in an indexed batch so that they
 * can read each other. It also remembers which keys it deleted, so that the index can remove their
 * bytes from its files once the batch is written ({@link ErasedKeyCompaction}).
 */
final class RocksWriteGroup implements SubjectIndex.Writes {

    private final RocksDB db;
    private final ReadOptions readOptions;
    private final WriteBatchWithIndex batch;
    /** Subject id → the pseudonym its keys carry. */
    private final UnaryOperator<String> refs;
    private final List<byte[]> removedKeys = new ArrayList<>();
    private final List<byte[]> removedPrefixes = new ArrayList<>();
    long sizeDelta;
    boolean erases;
    boolean closed;

    RocksWriteGroup(RocksDB db, ReadOptions readOptions, WriteBatchWithIndex batch, UnaryOperator<String> refs) {
        this.db = db;
        this.readOptions = readOptions;
        this.batch = batch;
        this.refs = refs;
    }

    /** Keys whose data this group deleted (sample values hold features and the raw subject id). */
    List<byte[]> removedKeys() {
        return removedKeys;
    }

    /** Key prefixes this group emptied (an erased subject's memberships). */
    List<byte[]> removedPrefixes() {
        return removedPrefixes;
    }

    private String ref(String subjectId) {
        return refs.apply(StoredSample.checkSubjectId(subjectId));
    }

    @Override
    public boolean put(StoredSample sample) {
        checkGroupOpen();
        Objects.requireNonNull(sample, "sample");
        try {
            String ref = ref(sample.subjectId());
            if (batch.getFromBatchAndDB(db, readOptions, erasedKey(ref)) != null) {
                return false;
            }
            byte[] key = sampleKey(sample.sampleId());
            byte[] previous = batch.getFromBatchAndDB(db, readOptions, key);
            if (previous == null) {
                sizeDelta++;
            } else {
                String previousSubject = subjectOf(previous);
                if (!previousSubject.equals(sample.subjectId())) {
                    batch.delete(memberKey(ref(previousSubject), sample.sampleId()));
                }
            }
            batch.put(key, encodeSample(sample));
            batch.put(memberKey(ref, sample.sampleId()), new byte[0]);
            return true;
        } catch (RocksDBException e) {
            throw RocksSubjectIndex.storage("put", e);
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
                delete(key);
                delete(memberKey(ref(subjectOf(previous)), sampleId));
                deletePoolKeys(sampleId);
                removedKeys.add(key);
                sizeDelta--;
            }
        } catch (RocksDBException e) {
            throw RocksSubjectIndex.storage("remove sample", e);
        }
    }

    @Override
    public int removeSubject(String subjectId) {
        checkGroupOpen();
        byte[] prefix = memberPrefix(ref(subjectId));
        List<String> ids = new ArrayList<>();
        try (RocksIterator base = db.newIterator(readOptions);
                RocksIterator it = batch.newIteratorWithBase(base)) {
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                ids.add(sampleIdOf(it.key(), prefix.length));
            }
            it.status();
        } catch (RocksDBException e) {
            throw RocksSubjectIndex.storage("scan subject", e);
        }
        for (String sampleId : ids) {
            byte[] key = sampleKey(sampleId);
            delete(key);
            delete(RocksLayout.concat(prefix, sampleId));
            deletePoolKeys(sampleId);
            removedKeys.add(key);
        }
        if (!ids.isEmpty()) {
            removedPrefixes.add(prefix);
        }
        sizeDelta -= ids.size();
        erases = true;
        return ids.size();
    }

    @Override
    public void markErased(String subjectId) {
        checkGroupOpen();
        stage(erasedKey(ref(subjectId)), new byte[0]);
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
            throw RocksSubjectIndex.storage("scan pool", e);
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
            throw RocksSubjectIndex.storage("stage put", e);
        }
    }

    private void delete(byte[] key) {
        try {
            batch.delete(key);
        } catch (RocksDBException e) {
            throw RocksSubjectIndex.storage("stage delete", e);
        }
    }

    private void checkGroupOpen() {
        if (closed) {
            throw new IllegalStateException("writes used after apply() returned");
        }
    }
}
