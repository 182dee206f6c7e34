package dev.lethe.core.events;

/**
 * The form of every digest in Lethe's events: 64 lowercase hex digits. A character loop, not a
 * regular expression: audit events are checked on the request listener's hot path (ADR 0004),
 * several times per request.
 */
public final class Sha256Hex {

    /** Characters in a SHA-256 digest written as hex. */
    public static final int LENGTH = 64;

    private Sha256Hex() {
    }

    /** The SHA-256 of {@code bytes}, as 64 lowercase hex digits. */
    public static String of(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The SHA-256 of {@code text}'s UTF-8 bytes, as 64 lowercase hex digits. */
    public static String ofUtf8(String text) {
        return of(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Whether {@code s} is 64 lowercase hex digits. */
    public static boolean isValid(String s) {
        if (s == null || s.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
