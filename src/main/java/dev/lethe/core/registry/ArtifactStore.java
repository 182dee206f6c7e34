package dev.lethe.core.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Model artifacts on disk, one file per version, written atomically and verified by sha256.
 *
 * <p>Layout: {@code <root>/<model>/v<version>.lethe} (a built-in network) or {@code v<version>.pt} (a
 * plain TorchScript file, as serving stacks expect it) plus a {@code v<version>.sha256} manifest in
 * {@code sha256sum} format. Writes go to a temporary file in the same directory, are fsynced,
 * moved into place atomically and the directory is fsynced (as Kafka's {@code CheckpointFile}
 * does): a crash leaves either no artifact or a whole one, never half of one. An artifact is only
 * *current* once a published model-version event names it; {@link #removeUnpublished} deletes
 * what a crash between writing and publishing left behind.
 */
public final class ArtifactStore {

    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern ARTIFACT = Pattern.compile("v(\\d+)\\.(lethe|pt)");
    /** File extensions of the artifact formats. */
    public static final String LETHE_EXTENSION = "lethe";
    public static final String TORCHSCRIPT_EXTENSION = "pt";
    private static final String TEMP_SUFFIX = ".tmp";

    private final Path root;

    /** A written artifact: where it is and what it must hash to. */
    public record StoredArtifact(String model, long version, Path path, String sha256, long sizeBytes) {
    }

    /** Writes an artifact's bytes to the stream it is given. */
    @FunctionalInterface
    public interface ArtifactWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /** The bytes on disk do not hash to what was published. */
    public static final class IntegrityException extends IOException {
        public IntegrityException(String message) {
            super(message);
        }
    }

    public ArtifactStore(Path root) throws IOException {
        this.root = Files.createDirectories(Objects.requireNonNull(root, "root"));
    }

    public Path root() {
        return root;
    }

    public StoredArtifact write(String model, long version, ArtifactWriter writer) throws IOException {
        return write(model, version, LETHE_EXTENSION, writer);
    }

    /** Writes version {@code version} as {@code v<version>.<extension>} ({@code lethe} or {@code pt}). */
    public StoredArtifact write(String model, long version, String extension, ArtifactWriter writer) throws IOException {
        if (!LETHE_EXTENSION.equals(extension) && !TORCHSCRIPT_EXTENSION.equals(extension)) {
            throw new IllegalArgumentException("artifact extension must be lethe or pt, was " + extension);
        }
        Path dir = modelDir(model);
        Files.createDirectories(dir);
        Path target = modelDir(model).resolve("v" + version + "." + extension);
        Path temp = Files.createTempFile(dir, "v" + version + ".", TEMP_SUFFIX);
        MessageDigest digest = sha256();
        long size;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                 OutputStream file = java.nio.channels.Channels.newOutputStream(channel);
                 CountingOutputStream counting = new CountingOutputStream(new DigestOutputStream(file, digest))) {
                writer.writeTo(counting);
                counting.flush();
                channel.force(true);
                size = counting.count();
            }
            moveAtomically(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        writeSmallFileAtomically(manifestPath(model, version),
                (sha + "  " + target.getFileName() + "\n").getBytes(StandardCharsets.US_ASCII));
        fsyncDirectory(dir);
        return new StoredArtifact(model, version, target, sha, size);
    }

    /** The artifact's bytes, after checking them against the published sha256. */
    public byte[] readVerified(String model, long version, String expectedSha256) throws IOException {
        Path path = artifactPath(model, version);
        if (!Files.exists(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "artifact of " + model + " v" + version + " is missing");
        }
        byte[] bytes = Files.readAllBytes(path);
        String actual = HexFormat.of().formatHex(sha256().digest(bytes));
        if (!actual.equalsIgnoreCase(expectedSha256)) {
            throw new IntegrityException("artifact " + path + " has sha256 " + actual + ", published "
                    + expectedSha256 + ": refusing to load it");
        }
        return bytes;
    }

    /** Opens a verified artifact as a stream. */
    public InputStream openVerified(String model, long version, String expectedSha256) throws IOException {
        return new java.io.ByteArrayInputStream(readVerified(model, version, expectedSha256));
    }

    /**
     * Deletes artifacts (and manifests) of versions no published event names, and temporary
     * files of interrupted writes.
     *
     * @return how many files were deleted
     */
    public int removeUnpublished(String model, Set<Long> publishedVersions) throws IOException {
        Path dir = modelDir(model);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                Matcher m = ARTIFACT.matcher(name);
                boolean orphan = m.matches() && !publishedVersions.contains(Long.parseLong(m.group(1)));
                if (name.endsWith(TEMP_SUFFIX) || orphan) {
                    Files.deleteIfExists(f);
                    removed++;
                    if (orphan) {
                        removed += Files.deleteIfExists(manifestPath(model, Long.parseLong(m.group(1)))) ? 1 : 0;
                    }
                }
            }
        }
        if (removed > 0) {
            fsyncDirectory(dir);
        }
        return removed;
    }

    /**
     * Retires a superseded version: writes the {@code v<version>.retired} marker (the time, no
     * model data) and then deletes the artifact and its manifest, so that the weights, which still
     * encode the subjects erased after this version, leave the disk. Idempotent.
     */
    public void retire(String model, long version, java.time.Instant at) throws IOException {
        Path marker = retiredMarker(model, version);
        if (!Files.exists(marker)) {
            writeSmallFileAtomically(marker, (at.toString() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Path dir = modelDir(model);
        Files.deleteIfExists(dir.resolve("v" + version + "." + TORCHSCRIPT_EXTENSION));
        Files.deleteIfExists(dir.resolve("v" + version + "." + LETHE_EXTENSION));
        Files.deleteIfExists(manifestPath(model, version));
        fsyncDirectory(dir);
    }

    /** Whether {@link #retire} ran for the version (its artifact is gone on purpose). */
    public boolean isRetired(String model, long version) {
        return Files.exists(retiredMarker(model, version));
    }

    private Path retiredMarker(String model, long version) {
        return modelDir(model).resolve("v" + version + ".retired");
    }

    /** The version's artifact: the TorchScript file where there is one, else the Lethe artifact's path. */
    public Path artifactPath(String model, long version) {
        if (version < 1) {
            throw new IllegalArgumentException("versions start at 1, was " + version);
        }
        Path torchScript = modelDir(model).resolve("v" + version + "." + TORCHSCRIPT_EXTENSION);
        return Files.exists(torchScript) ? torchScript : modelDir(model).resolve("v" + version + "." + LETHE_EXTENSION);
    }

    private Path manifestPath(String model, long version) {
        return modelDir(model).resolve("v" + version + ".sha256");
    }

    private Path modelDir(String model) {
        if (model == null || !MODEL_NAME.matcher(model).matches()) {
            throw new IllegalArgumentException("model names are 1-64 characters of [A-Za-z0-9._-], was '" + model + "'");
        }
        return root.resolve(model);
    }

    private static void writeSmallFileAtomically(Path target, byte[] bytes) throws IOException {
        AtomicFiles.write(target, bytes);
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        AtomicFiles.move(from, to);
    }

    private static void fsyncDirectory(Path dir) {
        AtomicFiles.fsyncDirectory(dir);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        long count() {
            return count;
        }
    }
}
