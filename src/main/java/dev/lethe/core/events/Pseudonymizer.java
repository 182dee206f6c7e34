package dev.lethe.core.events;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns a subject id into a stable reference that reveals nothing without the secret:
 * lowercase hex HMAC-SHA256 of the id's UTF-8 bytes. Audit events, logs and metrics carry this
 * reference, never the raw id. The same secret always gives the same reference (so an auditor
 * holding the secret can check one subject's trail); another secret gives unrelated references.
 *
 * <p>The secret must be at least {@value #MIN_SECRET_BYTES} bytes; draw it from a secure random
 * source and keep it out of the audit trail's readers' hands. {@link #toString()} never shows it.
 * Thread-safe.
 */
public final class Pseudonymizer {

    /** Shortest secret accepted. */
    public static final int MIN_SECRET_BYTES = 16;

    private static final String ALGORITHM = "HmacSHA256";
    private static final HexFormat HEX = HexFormat.of();

    private final SecretKeySpec key;
    private final Mac prototype;

    /**
     * @param secret at least {@value #MIN_SECRET_BYTES} bytes (copied)
     * @throws IllegalArgumentException if the secret is too short
     */
    public Pseudonymizer(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the pseudonymisation secret must be at least " + MIN_SECRET_BYTES
                    + " bytes, was " + secret.length);
        }
        this.key = new SecretKeySpec(secret, ALGORITHM);
        this.prototype = newMac(key);
    }

    /** A pseudonymizer whose secret is the UTF-8 bytes of {@code secret} (at least 16 bytes of them). */
    public static Pseudonymizer fromUtf8(String secret) {
        return new Pseudonymizer(Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8));
    }

    /** The subject reference: 64 lowercase hex digits. */
    public String pseudonymize(String subjectId) {
        Objects.requireNonNull(subjectId, "subjectId");
        return HEX.formatHex(mac().doFinal(subjectId.getBytes(StandardCharsets.UTF_8)));
    }

    private Mac mac() {
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            return newMac(key);
        }
    }

    private static Mac newMac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Names the algorithm only; the secret is never shown. */
    @Override
    public String toString() {
        return "Pseudonymizer[HmacSHA256, secret=<redacted>]";
    }
}
