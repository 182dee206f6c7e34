package dev.lethe.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A plain byte search over every file under some folders, read afresh on each call: what an
 * investigator with the disks would find. Files that vanish while it reads (a broker or RocksDB
 * deleting an old segment) are skipped.
 */
public final class ByteSearch {

    private final List<Path> roots;

    public ByteSearch(Path... roots) {
        this.roots = List.of(roots);
    }

    /** The files whose bytes contain {@code needle}, as found under the roots. */
    public List<Path> filesContaining(byte[] needle) {
        return filesContainingAny(List.of(needle));
    }

    /** The files that contain at least one of the needles. */
    public List<Path> filesContainingAny(List<byte[]> needles) {
        List<String> patterns = needles.stream().map(ByteSearch::latin1).toList();
        List<Path> hits = new ArrayList<>();
        for (Path file : files()) {
            String content = latin1(read(file));
            if (patterns.stream().anyMatch(n -> content.indexOf(n) >= 0)) {
                hits.add(file);
            }
        }
        return hits;
    }

    /** How many of the needles occur in at least one file. */
    public long needlesFound(List<byte[]> needles) {
        List<String> contents = files().stream().map(f -> latin1(read(f))).toList();
        return needles.stream().map(ByteSearch::latin1)
                .filter(n -> contents.stream().anyMatch(c -> c.indexOf(n) >= 0)).count();
    }

    /**
     * Bytes as ISO-8859-1 text: one char per byte, so a substring match is exactly a byte match, and
     * {@code String.indexOf} is the JDK's vectorised search (a naive byte loop over a broker's
     * preallocated index files took minutes per pass).
     */
    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** A file's bytes; none when it was deleted between listing and reading (nothing left to find). */
    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException gone) {
            return new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Path> files() {
        List<Path> files = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.exists(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isRegularFile).forEach(files::add);
            } catch (UncheckedIOException | IOException e) {
                // a folder removed mid-walk (a deleted partition directory): its files are gone too
            }
        }
        return files;
    }

    /** Index of {@code needle} in {@code haystack}, or -1 (a naive scan: needles are short, files small). */
    public static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
