package dev.lethe.core.requests;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import static dev.lethe.core.requests.RocksLayout.*;

/**
 * Rewrites the keys an index wrote before subjects were keyed by pseudonym: the erased marks
 * {@code e/<subjectId>} and the memberships {@code u/<subjectId>\0<sampleId>} become
 * {@code ep/<subjectRef>} and {@code up/<subjectRef>\0<sampleId>}, and the raw keys are deleted,
 * so an upgraded daemon keeps every erased subject erased. Runs at open, in fsynced chunks; each
 * chunk puts the new keys and deletes the old ones together, so a crash midway simply resumes.
 */
final class LegacyKeyMigration {

    private static final int CHUNK = 50_000;

    private LegacyKeyMigration() {
    }

    /** Migrates every legacy key; returns how many were rewritten. */
    static long run(RocksDB db, UnaryOperator<String> refs) throws RocksDBException {
        long erased = migrate(db, LEGACY_ERASED, raw -> erasedKey(refs.apply(raw)));
        long members = migrate(db, LEGACY_MEMBER, raw -> {
            int nul = raw.indexOf('\0');
            return memberKey(refs.apply(raw.substring(0, nul)), raw.substring(nul + 1));
        });
        return erased + members;
    }

    private interface Rekey {
        byte[] apply(String rawRest);
    }

    private static long migrate(RocksDB db, String legacyPrefix, Rekey rekey) throws RocksDBException {
        byte[] prefix = legacyPrefix.getBytes(StandardCharsets.UTF_8);
        long total = 0;
        while (true) {
            List<byte[]> keys = new ArrayList<>();
            try (Slice upper = new Slice(upperBound(prefix));
                    ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
                    RocksIterator it = db.newIterator(ro)) {
                for (it.seek(prefix); it.isValid() && keys.size() < CHUNK; it.next()) {
                    keys.add(it.key());
                }
                it.status();
            }
            if (keys.isEmpty()) {
                break;
            }
            try (WriteBatch batch = new WriteBatch(); WriteOptions sync = new WriteOptions().setSync(true)) {
                for (byte[] key : keys) {
                    String rest = new String(key, prefix.length, key.length - prefix.length, StandardCharsets.UTF_8);
                    batch.put(rekey.apply(rest), new byte[0]);
                    batch.delete(key);
                }
                db.write(sync, batch);
            }
            total += keys.size();
        }
        if (total > 0) {
            // The raw ids must leave the files too, not only the live key space.
            db.compactRange(prefix, upperBound(prefix));
        }
        return total;
    }
}
