package dev.lethe.daemon.registry;

import dev.lethe.core.events.Sha256Hex;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Brings the initial model ({@code lethe.model.initial-uri}) into the data directory before version 1
 * is registered: {@code http://}, {@code https://} (S3-compatible object storage through a presigned
 * HTTPS URL, or a bucket the pod may read) or {@code file://} (a mounted volume). The bytes must
 * have the configured SHA-256 ({@code lethe.model.initial-sha256}); they are written to a temporary
 * file, checked, fsynced and moved into place atomically, so a half-downloaded or wrong model is
 * never used. A file already in place with the right digest is not fetched again.
 */
public final class InitialModelFetch {

    private static final Logger LOG = Logger.getLogger(InitialModelFetch.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(30);

    private InitialModelFetch() {
    }

    /**
     * The verified model at {@code target}, fetched from {@code uri} unless already there.
     *
     * @throws IllegalArgumentException for a malformed digest or an unsupported scheme
     * @throws IOException              when the fetch fails or the digest does not match (the
     *                                  message names both digests, never the URI's query: a
     *                                  presigned URL's signature is a credential)
     */
    public static Path fetch(URI uri, String sha256, Path target) throws IOException {
        String expected = sha256 == null ? "" : sha256.trim().toLowerCase(Locale.ROOT);
        if (!Sha256Hex.isValid(expected)) {
            throw new IllegalArgumentException("lethe.model.initial-sha256 must be 64 hex digits (sha256sum of the model)");
        }
        if (Files.isRegularFile(target) && expected.equals(sha256Of(target))) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        try {
            String actual;
            try (InputStream in = open(uri); OutputStream file = Files.newOutputStream(tmp);
                    DigestOutputStream out = new DigestOutputStream(file, sha256())) {
                long bytes = in.transferTo(out);
                actual = HexFormat.of().formatHex(out.getMessageDigest().digest());
                LOG.infof("fetched the initial model from %s (%d bytes, sha256 %s)", redacted(uri), bytes,
                        actual.substring(0, 12));
            }
            if (!expected.equals(actual)) {
                throw new DigestMismatchException("the initial model from " + redacted(uri) + " has sha256 " + actual
                        + ", lethe.model.initial-sha256 says " + expected + ": refusing to use it");
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The fetched bytes are not the ones the expected sha256 names. */
    public static final class DigestMismatchException extends IOException {
        DigestMismatchException(String message) {
            super(message);
        }
    }

    private static InputStream open(URI uri) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "file":
                return Files.newInputStream(Path.of(uri));
            case "http":
            case "https":
                HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                        .followRedirects(HttpClient.Redirect.NORMAL).build();
                try {
                    HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                            .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                    if (response.statusCode() != 200) {
                        response.body().close();
                        throw new IOException("GET " + redacted(uri) + " answered HTTP " + response.statusCode());
                    }
                    return response.body();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while fetching " + redacted(uri), e);
                }
            default:
                throw new IllegalArgumentException("lethe.model.initial-uri must be http://, https:// or file://, was "
                        + scheme + ":");
        }
    }

    /**
     * The local file name for a model fetched from {@code uri}: the URI path's last segment (its
     * name tells a DJL {@code .params} file from a Lethe artifact), else {@code <model>.lethe}.
     */
    public static String fileName(URI uri, String model) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        return last.matches("[A-Za-z0-9._-]+") && !last.startsWith(".") ? last : model + ".lethe";
    }

    /** The URI without its query (a presigned URL's signature) and user info. */
    static String redacted(URI uri) {
        return uri.getScheme() + "://" + (uri.getHost() == null ? "" : uri.getHost())
                + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    static String sha256Of(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(file);
                DigestOutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
            in.transferTo(out);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
