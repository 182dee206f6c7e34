package dev.lethe.core.rebase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.core.data.Sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuarantineTest {

    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Duration WEEK = Duration.ofDays(7);

    @TempDir
    Path dir;

    @Test
    void a_sealed_batch_opens_to_bit_exact_samples() throws IOException {
        Quarantine quarantine = new Quarantine(dir, WEEK, CLOCK);
        List<Sample> samples = samples("subject-alpha", 3);
        quarantine.stage("batch-1", samples);
        quarantine.seal("batch-1", List.of("req-1", "req-2"), Map.of(0, 10L, 1, 4L), NOW);

        List<Sample> opened = new Quarantine(dir, WEEK, CLOCK).open("batch-1");

        assertThat(opened).hasSize(3);
        for (int i = 0; i < samples.size(); i++) {
            assertThat(opened.get(i).sampleId()).isEqualTo(samples.get(i).sampleId());
            assertThat(opened.get(i).subjectId()).isEqualTo(samples.get(i).subjectId());
            assertThat(opened.get(i).label()).isEqualTo(samples.get(i).label());
            assertThat(bits(opened.get(i).features())).isEqualTo(bits(samples.get(i).features()));
        }
        assertThat(new Quarantine(dir, WEEK, CLOCK).entries()).containsExactly(
                new Quarantine.Entry("batch-1", List.of("req-1", "req-2"), Map.of(0, 10L, 1, 4L), NOW, 3));
    }

    @Test
    void a_tampered_ciphertext_is_refused() throws IOException {
        Quarantine quarantine = new Quarantine(dir, WEEK, CLOCK);
        quarantine.stage("batch-1", samples("subject-alpha", 2));
        quarantine.seal("batch-1", List.of("req-1"), Map.of(0, 10L), NOW);
        Path data = dir.resolve("batches/batch-1.data");
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 1;
        Files.write(data, bytes);

        assertThatThrownBy(() -> quarantine.open("batch-1"))
                .isInstanceOf(Quarantine.IntegrityException.class)
                .hasMessageContaining("failed its GCM integrity check");
    }

    @Test
    void a_ciphertext_renamed_to_another_batch_does_not_open() throws IOException {
        Quarantine quarantine = new Quarantine(dir, WEEK, CLOCK);
        quarantine.stage("batch-1", samples("subject-alpha", 1));
        quarantine.stage("batch-2", samples("subject-beta", 1));
        Files.copy(dir.resolve("batches/batch-1.data"), dir.resolve("batches/batch-2.data"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve("batches/batch-1.key"), dir.resolve("batches/batch-2.key"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> quarantine.open("batch-2")).isInstanceOf(Quarantine.IntegrityException.class);
    }

    @Test
    void unsealed_leftovers_of_a_crash_are_gone_after_reopening() throws IOException {
        Quarantine before = new Quarantine(dir, WEEK, CLOCK);
        before.stage("sealed", samples("subject-alpha", 1));
        before.seal("sealed", List.of("req-1"), Map.of(0, 5L), NOW);
        before.stage("crashed", samples("subject-beta", 2));
        Files.write(dir.resolve("batches/crashed.key.123.tmp"), new byte[32]);

        Quarantine after = new Quarantine(dir, WEEK, CLOCK);

        assertThat(after.entries()).extracting(Quarantine.Entry::batchId).containsExactly("sealed");
        assertThat(after.droppedAtOpen()).containsExactly("crashed");
        assertThat(listing()).containsExactlyInAnyOrder("batches", "batches/sealed.json", "batches/sealed.data",
                "batches/sealed.key");
    }

    @Test
    void a_shred_interrupted_after_the_key_went_is_finished_at_reopen() throws IOException {
        Quarantine before = new Quarantine(dir, WEEK, CLOCK);
        before.stage("half-shredded", samples("subject-alpha", 1));
        before.seal("half-shredded", List.of("req-1"), Map.of(0, 21L), NOW);
        Files.delete(dir.resolve("batches/half-shredded.key"));

        Quarantine after = new Quarantine(dir, WEEK, CLOCK);

        assertThat(after.entries()).isEmpty();
        assertThat(after.horizon()).isEqualTo(Map.of(0, 21L));
        assertThat(listing()).containsExactlyInAnyOrder("batches", "state.json");
    }

    @Test
    void a_discarded_batch_leaves_nothing_behind() throws IOException {
        Quarantine quarantine = new Quarantine(dir, WEEK, CLOCK);
        quarantine.stage("batch-1", samples("subject-alpha", 2));

        quarantine.discard("batch-1");

        assertThat(listing()).containsExactly("batches");
        assertThat(quarantine.entries()).isEmpty();
    }

    @Test
    void shredding_expired_batches_folds_the_horizon_and_leaves_no_file_nor_id_of_them() throws IOException {
        Quarantine quarantine = new Quarantine(dir, WEEK, CLOCK);
        quarantine.stage("old", samples("subject-old", 2));
        quarantine.seal("old", List.of("req-old"), Map.of(0, 40L, 1, 9L), NOW.minus(Duration.ofDays(8)));
        quarantine.stage("older", samples("subject-older", 1));
        quarantine.seal("older", List.of("req-older"), Map.of(0, 30L, 2, 3L), NOW.minus(Duration.ofDays(9)));
        quarantine.stage("fresh", samples("subject-fresh", 1));
        quarantine.seal("fresh", List.of("req-fresh"), Map.of(0, 50L), NOW.minus(Duration.ofDays(1)));

        int shredded = quarantine.shredExpired();

        assertThat(shredded).isEqualTo(2);
        assertThat(quarantine.horizon()).isEqualTo(Map.of(0, 40L, 1, 9L, 2, 3L));
        assertThat(new Quarantine(dir, WEEK, CLOCK).horizon()).isEqualTo(Map.of(0, 40L, 1, 9L, 2, 3L));
        assertThat(quarantine.entries()).extracting(Quarantine.Entry::batchId).containsExactly("fresh");
        assertThat(listing()).containsExactlyInAnyOrder("batches", "state.json", "batches/fresh.json",
                "batches/fresh.data", "batches/fresh.key");
        for (String id : List.of("subject-old", "subject-older", "subject-fresh", "sample-subject-old-0",
                "sample-subject-fresh-0")) {
            assertThat(allBytesOnDisk()).as("bytes on disk").doesNotContain(id);
        }
    }

    @Test
    void adopting_a_retrain_drops_only_the_batches_it_honours() throws IOException {
        Quarantine quarantine = new Quarantine(dir, WEEK, CLOCK);
        quarantine.stage("honoured", samples("subject-alpha", 1));
        quarantine.seal("honoured", List.of("req-1"), Map.of(0, 10L), NOW.minusSeconds(60));
        quarantine.stage("later", samples("subject-beta", 1));
        quarantine.seal("later", List.of("req-2"), Map.of(0, 11L), NOW);

        quarantine.adopted(Map.of(0, 10L));

        assertThat(quarantine.entries()).extracting(Quarantine.Entry::batchId).containsExactly("later");
        assertThat(quarantine.basePosition()).isEqualTo(Map.of(0, 10L));
        assertThat(new Quarantine(dir, WEEK, CLOCK).basePosition()).isEqualTo(Map.of(0, 10L));
        assertThat(listing()).noneMatch(name -> name.contains("honoured"));
    }

    @Test
    void with_keep_for_zero_nothing_is_staged_and_sealing_raises_the_horizon() throws IOException {
        Quarantine quarantine = new Quarantine(dir, Duration.ZERO, CLOCK);

        quarantine.stage("batch-1", samples("subject-alpha", 2));
        quarantine.seal("batch-1", List.of("req-1"), Map.of(0, 12L), NOW);

        assertThat(quarantine.entries()).isEmpty();
        assertThat(quarantine.horizon()).isEqualTo(Map.of(0, 12L));
        assertThat(listing()).containsExactlyInAnyOrder("batches", "state.json");
    }

    @Test
    void raising_the_horizon_never_lowers_it() throws IOException {
        Quarantine quarantine = new Quarantine(dir, WEEK, CLOCK);
        quarantine.raiseHorizon(Map.of(0, 100L, 1, 5L));

        quarantine.raiseHorizon(Map.of(0, 50L, 2, 7L));

        assertThat(quarantine.horizon()).isEqualTo(Map.of(0, 100L, 1, 5L, 2, 7L));
    }

    @Test
    void bad_batch_ids_and_a_keep_for_beyond_the_gdpr_month_are_refused() throws IOException {
        Quarantine quarantine = new Quarantine(dir, WEEK, CLOCK);

        assertThatThrownBy(() -> quarantine.stage("../escape", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> quarantine.stage("x".repeat(101), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Quarantine(dir, Duration.ofDays(31), CLOCK))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- helpers --------------------------------------------------------------------------

    private static List<Sample> samples(String subject, int n) {
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> new Sample("sample-" + subject + "-" + i, subject, i % 10,
                        new float[] {i, -0.0f, Float.NaN, Float.intBitsToFloat(0x7fc00001), 1e-38f * i}))
                .toList();
    }

    private static int[] bits(float[] features) {
        int[] bits = new int[features.length];
        for (int i = 0; i < features.length; i++) {
            bits[i] = Float.floatToRawIntBits(features[i]);
        }
        return bits;
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString().replace('\\', '/')).toList();
        }
    }

    private String allBytesOnDisk() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(p -> {
                try {
                    return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).reduce("", String::concat);
        }
    }
}
