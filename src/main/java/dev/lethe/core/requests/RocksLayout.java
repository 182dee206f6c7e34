package dev.lethe.core.requests;

import dev.lethe.core.requests.SubjectIndex.Pool;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The bytes of {@link RocksSubjectIndex}: its keys (the layout is described there) and the
 * encoding of a stored sample. Pure functions, kept apart so the index class is about reading
 * and writing, not about byte order.
 */
final class RocksLayout {

    static final byte FORMAT = 1;
    static final byte[] SIZE_KEY = "m/size".getBytes(StandardCharsets.UTF_8);

    private RocksLayout() {
    }

    // ---- keys --------------------------------------------------------------------------------

    static byte[] key(String prefix, String id) {
        return (prefix + id).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] sampleKey(String sampleId) {
        return key(SAMPLE, sampleId);
    }

    /*
     * Subjects appear in keys only as their pseudonym (the audit trail's HMAC reference): keys end
     * up in places deletes do not reach at once (file boundaries in the MANIFEST, erased marks that
     * outlive the erasure for good), so a raw subject id must never be one.
     */

    static byte[] memberPrefix(String subjectRef) {
        return key(MEMBER, subjectRef + '\0');
    }

    static byte[] memberKey(String subjectRef, String sampleId) {
        return key(MEMBER, subjectRef + '\0' + sampleId);
    }

    static byte[] erasedKey(String subjectRef) {
        return key(ERASED, subjectRef);
    }

    /** Membership by pseudonym: {@code up/<subjectRef>\0<sampleId>}. */
    static final String MEMBER = "up/";
    /** Erased mark by pseudonym: {@code ep/<subjectRef>}. */
    static final String ERASED = "ep/";
    /** Membership by raw subject id, as indexes before pseudonymous keys wrote it (migrated at open). */
    static final String LEGACY_MEMBER = "u/";
    /** Erased mark by raw subject id, as indexes before pseudonymous keys wrote it (migrated at open). */
    static final String LEGACY_ERASED = "e/";
    static final String SAMPLE = "s/";

    static byte[] poolPrefix(Pool pool) {
        return key("p/", pool.code() + "/");
    }

    static byte[] poolKey(Pool pool, String sampleId) {
        return key("p/", pool.code() + "/" + Objects.requireNonNull(sampleId, "sampleId"));
    }

    static byte[] poolCounterKey(Pool pool) {
        return key("m/pool/", pool.code());
    }

    static byte[] offsetKey(int partition) {
        return key("o/", Integer.toString(partition));
    }

    /** {@code prefix} followed by the UTF-8 bytes of {@code id}. */
    static byte[] concat(byte[] prefix, String id) {
        byte[] tail = id.getBytes(StandardCharsets.UTF_8);
        byte[] key = Arrays.copyOf(prefix, prefix.length + tail.length);
        System.arraycopy(tail, 0, key, prefix.length, tail.length);
        return key;
    }

    static String sampleIdOf(byte[] memberKey, int prefixLength) {
        return new String(memberKey, prefixLength, memberKey.length - prefixLength, StandardCharsets.UTF_8);
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The smallest key after every key starting with {@code prefix} (whose last byte is below 0xFF). */
    static byte[] upperBound(byte[] prefix) {
        byte[] upper = prefix.clone();
        upper[upper.length - 1]++;
        return upper;
    }

    static byte[] longBytes(long value) {
        return ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
    }

    // ---- sample values -----------------------------------------------------------------------

    /** Format byte, label, subject id, split, feature count, features; little-endian throughout. */
    static byte[] encodeSample(StoredSample sample) {
        byte[] subject = sample.subjectId().getBytes(StandardCharsets.UTF_8);
        byte[] split = sample.split().getBytes(StandardCharsets.UTF_8);
        float[] features = sample.features();
        ByteBuffer buf = ByteBuffer.allocate(1 + 4 + 4 + subject.length + 4 + split.length + 4
                + 4 * features.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(FORMAT).putInt(sample.label());
        buf.putInt(subject.length).put(subject);
        buf.putInt(split.length).put(split);
        buf.putInt(features.length);
        buf.asFloatBuffer().put(features);
        return buf.array();
    }

    static StoredSample decodeSample(String sampleId, byte[] value) {
        ByteBuffer buf = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        byte format = buf.get();
        if (format != FORMAT) {
            throw new IllegalStateException("unknown sample format " + format + " for " + sampleId);
        }
        int label = buf.getInt();
        String subject = string(buf);
        String split = string(buf);
        float[] features = new float[buf.getInt()];
        buf.asFloatBuffer().get(features);
        return new StoredSample(sampleId, subject, label, split, features);
    }

    static String subjectOf(byte[] value) {
        ByteBuffer buf = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(1 + 4);
        return string(buf);
    }

    static String string(ByteBuffer buf) {
        byte[] bytes = new byte[buf.getInt()];
        buf.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
