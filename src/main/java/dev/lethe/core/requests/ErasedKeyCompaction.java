package dev.lethe.core.requests;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Removes deleted keys' bytes from the index's files. A RocksDB delete only writes a tombstone: the
 * old value (a sample's features and raw subject id) stays in the WAL and in SST files until a
 * compaction happens to merge the tombstone with it, which on a quiet index may be never. So after
 * every write that removed data, the removed keys' ranges are compacted down to the bottom level
 * (flushing the memtable first, which also retires the WAL that held them), on one background
 * thread so that the erasure's caller does not wait for it.
 *
 * <p>Each removed sample key is compacted as its own one-key range: a range spanning the batch's
 * keys would, with random sample ids, rewrite the whole index.
 */
final class ErasedKeyCompaction implements AutoCloseable {

    private final RocksDB db;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lethe-index-compaction");
        t.setDaemon(true);
        return t;
    });

    ErasedKeyCompaction(RocksDB db) {
        this.db = db;
    }

    /** Schedules the compaction of the given keys and key prefixes (copied by the caller). */
    void schedule(List<byte[]> keys, List<byte[]> prefixes) {
        if (keys.isEmpty() && prefixes.isEmpty()) {
            return;
        }
        worker.execute(() -> {
            try (CompactRangeOptions options = new CompactRangeOptions()
                    .setExclusiveManualCompaction(false)
                    .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForceOptimized)) {
                for (byte[] prefix : prefixes) {
                    db.compactRange(db.getDefaultColumnFamily(), prefix, RocksLayout.upperBound(prefix), options);
                }
                for (byte[] key : keys) {
                    db.compactRange(db.getDefaultColumnFamily(), key, key, options);
                }
            } catch (RocksDBException e) {
                // The data is deleted either way; only its bytes wait for RocksDB's own compactions.
                System.getLogger(ErasedKeyCompaction.class.getName()).log(System.Logger.Level.WARNING,
                        "compacting erased keys failed: " + e.getMessage());
            }
        });
    }

    /** Waits until every compaction scheduled so far has run. */
    void awaitIdle(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
        try {
            worker.submit(() -> { }).get(timeout, unit);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Lets the scheduled compactions finish (bounded), so the database can close under them. */
    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(60, TimeUnit.SECONDS)) {
                db.cancelAllBackgroundWork(true);
                worker.awaitTermination(60, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
