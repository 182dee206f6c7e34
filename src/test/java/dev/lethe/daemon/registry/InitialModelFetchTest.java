package dev.lethe.daemon.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The initial model over real HTTP on loopback (the JDK's server) and from a file: digest checked before use. */
class InitialModelFetchTest {

    @TempDir
    Path tmp;

    private HttpServer server;
    private final byte[] model = new byte[300_000];
    private final AtomicInteger gets = new AtomicInteger();

    @BeforeEach
    void serve() throws IOException {
        new Random(7).nextBytes(model);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/models/fashion-cnn.lethe", exchange -> {
            gets.incrementAndGet();
            exchange.sendResponseHeaders(200, model.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(model);
            }
        });
        server.createContext("/missing", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aModelWithTheRightDigestIsFetchedOnceAndPlacedAtomically() throws Exception {
        Path target = tmp.resolve("data/initial/fashion-cnn.lethe");
        URI presigned = url("/models/fashion-cnn.lethe?X-Amz-Signature=secret");

        Path fetched = InitialModelFetch.fetch(presigned, sha256(model).toUpperCase(), target);

        assertThat(fetched).isEqualTo(target);
        assertThat(Files.readAllBytes(target)).isEqualTo(model);
        assertThat(Files.list(target.getParent())).containsExactly(target);
        InitialModelFetch.fetch(presigned, sha256(model), target);
        assertThat(gets).as("a verified file in place is not fetched again").hasValue(1);
        assertThat(InitialModelFetch.fileName(presigned, "m")).isEqualTo("fashion-cnn.lethe");
    }

    @Test
    void aDigestMismatchIsRefusedAndLeavesNothingBehindNorTheSignatureInTheMessage() throws Exception {
        Path target = tmp.resolve("initial/fashion-cnn.lethe");
        byte[] other = model.clone();
        other[1234] ^= 1;

        assertThatThrownBy(() -> InitialModelFetch.fetch(url("/models/fashion-cnn.lethe?X-Amz-Signature=secret"),
                sha256(other), target))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("has sha256 " + sha256(model))
                .hasMessageContaining("says " + sha256(other))
                .hasMessageNotContaining("secret");
        assertThat(Files.list(target.getParent())).isEmpty();
    }

    @Test
    void httpErrorsBadDigestsAndUnknownSchemesFailClearly() throws Exception {
        Path target = tmp.resolve("initial/m.lethe");
        assertThatThrownBy(() -> InitialModelFetch.fetch(url("/missing"), sha256(model), target))
                .isInstanceOf(IOException.class).hasMessageContaining("HTTP 404");
        assertThatThrownBy(() -> InitialModelFetch.fetch(url("/missing"), "abc", target))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> InitialModelFetch.fetch(URI.create("ftp://host/m"), sha256(model), target))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://, https:// or file://");
    }

    @Test
    void aFileUriFromAMountedVolumeIsVerifiedTheSameWay() throws Exception {
        Path source = tmp.resolve("volume/model-0001.params");
        Files.createDirectories(source.getParent());
        Files.write(source, model);

        Path target = tmp.resolve("initial").resolve(InitialModelFetch.fileName(source.toUri(), "m"));
        InitialModelFetch.fetch(source.toUri(), sha256(model), target);

        assertThat(target.getFileName().toString()).isEqualTo("model-0001.params");
        assertThat(Files.readAllBytes(target)).isEqualTo(model);
    }
}
