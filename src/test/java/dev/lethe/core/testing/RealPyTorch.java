package dev.lethe.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real PyTorch for tests that check Lethe's output where its users will open it: Debian's
 * {@code python3-torch} under {@code /usr/bin/python3} ({@code .ci/run} installs it). Where it is
 * missing, such tests are skipped with a message that says how to enable them.
 */
public final class RealPyTorch {

    public static final Path PYTHON = Path.of("/usr/bin/python3");
    public static final Path CHECK_VERSION = Path.of("scripts/pytorch/check_version.py");
    private static Boolean available;

    private RealPyTorch() {
    }

    /** Skips the calling test unless {@code import torch} works under {@link #PYTHON}. */
    public static void assume() {
        if (available == null) {
            available = run(List.of(PYTHON.toString(), "-c", "import torch"), 120).exitCode == 0;
        }
        Assumptions.assumeTrue(available, "real PyTorch is not installed: apt-get install -y python3-torch "
                + "(Debian's PyTorch 1.13 under /usr/bin/python3) to run this test");
    }

    /** Runs {@code scripts/pytorch/check_version.py} with the arguments; its JSON report. */
    public static JsonNode checkVersion(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), CHECK_VERSION.toString()));
        command.addAll(List.of(args));
        Result r = run(command, 600);
        if (r.exitCode != 0) {
            throw new AssertionError("check_version.py failed (" + r.exitCode + "): " + r.output);
        }
        String last = r.output.strip();
        return new ObjectMapper().readTree(last.substring(last.lastIndexOf('\n') + 1));
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command, int timeoutSeconds) {
        try {
            Path log = Files.createTempFile("lethe-python", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(false)
                    .redirectOutput(log.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out after " + timeoutSeconds + " s");
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
