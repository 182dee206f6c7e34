package dev.lethe.core.testing;

import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.requests.RocksSubjectIndex;
import java.nio.file.Path;

/** The on-disk subject index as tests open it: always with the same pseudonym key, so a reopen finds its keys. */
public final class TestIndexes {

    public static final Pseudonymizer PSEUDONYMS = Pseudonymizer.fromUtf8("test-index-pseudonym-secret-0123456789");

    private TestIndexes() {
    }

    public static RocksSubjectIndex open(Path directory) {
        return RocksSubjectIndex.open(directory, PSEUDONYMS);
    }
}
