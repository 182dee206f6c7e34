package dev.lethe.core.rebase;

import dev.lethe.core.data.Sample;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts a batch's samples under its own key: AES-256/GCM, a random 12-byte IV written before the
 * ciphertext, the batch id as additional authenticated data (a file moved to another batch's name
 * does not open). The plaintext is a small binary format: a version, the count, then per sample its
 * id, subject id, label and features (raw float bits, so the round trip is bit-exact).
 */
final class SampleCipher {

    static final int KEY_BYTES = 32;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int FORMAT_VERSION = 1;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private SampleCipher() {
    }

    /** A fresh random key. */
    static byte[] newKey(SecureRandom random) {
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        return key;
    }

    /** IV followed by the ciphertext and tag of the serialised samples. */
    static byte[] encrypt(List<Sample> samples, byte[] key, String batchId, SecureRandom random) throws IOException {
        byte[] plain = serialise(samples);
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, key, iv, batchId);
            byte[] sealed = cipher.doFinal(plain);
            byte[] out = Arrays.copyOf(iv, IV_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is part of every Java runtime", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * The samples of {@link #encrypt}'s output.
     *
     * @throws Quarantine.IntegrityException if the tag does not verify (tampered, truncated or another batch's)
     */
    static List<Sample> decrypt(byte[] data, byte[] key, String batchId) throws IOException {
        if (data.length < IV_BYTES + TAG_BITS / 8 || key.length != KEY_BYTES) {
            throw new Quarantine.IntegrityException("quarantined batch " + batchId + " is truncated: refusing it");
        }
        byte[] plain;
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, Arrays.copyOf(data, IV_BYTES), batchId);
            plain = cipher.doFinal(data, IV_BYTES, data.length - IV_BYTES);
        } catch (AEADBadTagException e) {
            throw new Quarantine.IntegrityException("quarantined batch " + batchId
                    + " failed its GCM integrity check (tampered, corrupt or not this batch's): refusing it");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is part of every Java runtime", e);
        }
        try {
            return deserialise(plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private static Cipher cipher(int mode, byte[] key, byte[] iv, String batchId) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, iv));
        cipher.updateAAD(batchId.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    private static byte[] serialise(List<Sample> samples) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT_VERSION);
            out.writeInt(samples.size());
            for (Sample s : samples) {
                out.writeUTF(s.sampleId());
                out.writeUTF(s.subjectId());
                out.writeInt(s.label());
                out.writeInt(s.features().length);
                for (float f : s.features()) {
                    out.writeInt(Float.floatToRawIntBits(f));
                }
            }
        }
        return bytes.toByteArray();
    }

    private static List<Sample> deserialise(byte[] plain) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(plain))) {
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new IOException("unknown quarantine format version " + version);
            }
            int count = in.readInt();
            List<Sample> samples = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String sampleId = in.readUTF();
                String subjectId = in.readUTF();
                int label = in.readInt();
                float[] features = new float[in.readInt()];
                for (int j = 0; j < features.length; j++) {
                    features[j] = Float.intBitsToFloat(in.readInt());
                }
                samples.add(new Sample(sampleId, subjectId, label, features));
            }
            return samples;
        }
    }
}
