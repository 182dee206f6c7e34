package dev.lethe.ops;

import static dev.lethe.ops.OpsFiles.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of the images without a Docker engine (there is none here): the files they
 * copy exist in the build output, they run the packaged jar as user 185 on the app's port, offline,
 * and the CUDA image's PyTorch version and flavour match the DJL jars the app is built with.
 * An IT because it needs {@code target/quarkus-app} (failsafe runs after package).
 */
class DockerfilesIT {

    private static final Path APP = path("target/quarkus-app");

    @ParameterizedTest
    @ValueSource(strings = {"docker/Dockerfile.jvm", "docker/Dockerfile.cuda"})
    void everyFileTheImageCopiesFromTheBuildExists(String dockerfile) throws IOException {
        Dockerfiles d = Dockerfiles.read(dockerfile);
        List<String> sources = new ArrayList<>();
        for (String copy : d.all("COPY")) {
            if (copy.contains("--from=")) {
                continue;
            }
            String[] parts = copy.replaceAll("--chown=\\S+", "").strip().split("\\s+");
            for (int i = 0; i < parts.length - 1; i++) {
                sources.add(parts[i]);
            }
        }
        assertThat(sources).contains("target/quarkus-app/lib/", "target/quarkus-app/app/", "target/quarkus-app/quarkus/");
        for (String source : sources) {
            assertThat(matches(source)).as("%s copies %s", dockerfile, source).isNotEmpty();
        }
        assertThat(matches("target/quarkus-app/*.jar")).extracting(p -> p.getFileName().toString()).contains("quarkus-run.jar");
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker/Dockerfile.jvm", "docker/Dockerfile.cuda"})
    void theImageRunsThePackagedJarServingAsUser185OnTheApplicationsPortOffline(String dockerfile) throws IOException {
        Dockerfiles d = Dockerfiles.read(dockerfile);
        assertThat(d.last("USER")).isEqualTo("185");
        assertThat(d.last("EXPOSE")).isEqualTo(String.valueOf(httpPort()));
        assertThat(d.execForm("CMD")).containsExactly("serve");
        assertThat(d.env()).containsEntry("DJL_OFFLINE", "true").containsEntry("OPT_OUT_TRACKING", "true");
        assertThat(d.env()).doesNotContainKey("PYTORCH_VERSION");
        // The data directory is the declared volume, and a LetheConfig key.
        assertThat(d.env().get("LETHE_DATA_DIR")).isEqualTo(d.last("VOLUME"));
        d.env().keySet().stream().filter(k -> k.startsWith("LETHE_"))
                .forEach(k -> assertThat(isLetheKey(k)).as(k).isTrue());

        String jar;
        List<String> entrypoint = d.execForm("ENTRYPOINT");
        if (entrypoint.get(0).endsWith("run-java.sh")) {
            jar = d.env().get("JAVA_APP_JAR");
        } else {
            assertThat(entrypoint.get(0)).isEqualTo("java");
            jar = entrypoint.get(entrypoint.indexOf("-jar") + 1);
        }
        assertThat(jar).isEqualTo("/deployments/quarkus-run.jar");
        assertThat(d.all("COPY")).anySatisfy(c -> assertThat(c).contains("target/quarkus-app/*.jar /deployments/"));
        assertThat(APP.resolve("quarkus-run.jar")).isRegularFile();
        // The healthcheck asks a health endpoint on the port the app listens on.
        assertThat(String.join(" ", d.healthcheckCommand())).contains("/q/health/live")
                .contains("${QUARKUS_HTTP_PORT:-" + httpPort() + "}");
    }

    @Test
    void theCudaImageFetchesThePyTorchVersionAndFlavourOfTheDjlJarsTheAppIsBuiltWith() throws IOException {
        Dockerfiles d = Dockerfiles.read("docker/Dockerfile.cuda");
        String version = d.args().get("PYTORCH_VERSION");
        String flavour = d.args().get("PYTORCH_FLAVOR");

        Path cpuNatives = only(APP.resolve("lib/main"), "ai.djl.pytorch.pytorch-native-cpu-*.jar");
        Matcher v = Pattern.compile("pytorch-native-cpu-(\\d+\\.\\d+\\.\\d+)-").matcher(cpuNatives.getFileName().toString());
        assertThat(v.find()).isTrue();
        assertThat(version).as("PyTorch version of the CPU natives on the classpath").isEqualTo(v.group(1));

        Path jni = only(APP.resolve("lib/main"), "ai.djl.pytorch.pytorch-jni-*.jar");
        List<String> linuxCudaFlavours = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jni.toFile())) {
            zip.stream().map(e -> e.getName())
                    .map(n -> Pattern.compile("^jnilib/linux-x86_64/(cu\\d+)/libdjl_torch\\.so$").matcher(n))
                    .filter(Matcher::matches).forEach(m -> linuxCudaFlavours.add(m.group(1)));
        }
        assertThat(linuxCudaFlavours).as("the CUDA JNI libraries DJL ships for this PyTorch").containsExactly(flavour);

        assertThat(d.env()).containsEntry("PYTORCH_FLAVOR", "${PYTORCH_FLAVOR}");
        String libraryPath = d.env().get("PYTORCH_LIBRARY_PATH");
        assertThat(d.all("COPY")).anySatisfy(c -> assertThat(c).startsWith("--from=natives").endsWith(" " + libraryPath + "/"));
        assertThat(d.env()).containsEntry("LETHE_MODEL_DEVICE", "auto");
        assertThat(Dockerfiles.read("docker/Dockerfile.cuda").instructions())
                .anySatisfy(i -> assertThat(i.arguments()).contains("publish.djl.ai/pytorch/${PYTORCH_VERSION}")
                        .contains("${PYTORCH_FLAVOR}/linux-x86_64/native/lib/"));
    }

    private static List<Path> matches(String source) throws IOException {
        Path p = ROOT.resolve(source);
        if (!source.contains("*")) {
            return Files.exists(p) ? List.of(p) : List.of();
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(p.getParent(), p.getFileName().toString())) {
            s.forEach(found::add);
        }
        return found;
    }

    private static Path only(Path dir, String glob) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob)) {
            s.forEach(found::add);
        }
        assertThat(found).as(glob + " in " + dir).hasSize(1);
        return found.get(0);
    }
}
