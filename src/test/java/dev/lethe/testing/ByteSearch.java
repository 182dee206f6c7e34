package dev.lethe.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
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
        List<Path> hits = new ArrayList<>();
        for (Path file : files()) {
            byte[] content = read(file);
            if (needles.stream().anyMatch(n -> indexOf(content, n) >= 0)) {
                hits.add(file);
            }
        }
        return hits;
    }

    /** How many of the needles occur in at least one file. */
    public long needlesFound(List<byte[]> needles) {
        List<byte[]> contents = files().stream().map(ByteSearch::read).toList();
        return needles.stream().filter(n -> contents.stream().anyMatch(c -> indexOf(c, n) >= 0)).count();
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
