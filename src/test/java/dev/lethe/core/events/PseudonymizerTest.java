package dev.lethe.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class PseudonymizerTest {

    private static final byte[] SECRET = "0123456789abcdef-lethe-test".getBytes(StandardCharsets.UTF_8);

    @Test
    void computesHmacSha256AsInRfc4231() {
        // RFC 4231, test case 1: key = 20 bytes of 0x0b, data = "Hi There".
        byte[] key = new byte[20];
        Arrays.fill(key, (byte) 0x0b);

        assertThat(new Pseudonymizer(key).pseudonymize("Hi There"))
                .isEqualTo("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    }

    @Test
    void theSameSecretAlwaysGivesTheSameReference() {
        String first = new Pseudonymizer(SECRET).pseudonymize("alice@example.com");
        String second = new Pseudonymizer(SECRET.clone()).pseudonymize("alice@example.com");

        assertThat(first).isEqualTo(second).matches("[0-9a-f]{64}");
    }

    @Test
    void anotherSecretOrAnotherSubjectGivesAnotherReference() {
        Pseudonymizer p = new Pseudonymizer(SECRET);
        byte[] other = SECRET.clone();
        other[0] ^= 1;

        assertThat(new Pseudonymizer(other).pseudonymize("alice@example.com"))
                .isNotEqualTo(p.pseudonymize("alice@example.com"));
        assertThat(p.pseudonymize("bob@example.com")).isNotEqualTo(p.pseudonymize("alice@example.com"));
    }

    @Test
    void theReferenceNeverContainsTheSubjectId() {
        Pseudonymizer p = new Pseudonymizer(SECRET);
        for (String subject : List.of("alice@example.com", "subject-42", "Zoë Müller", "x")) {
            assertThat(p.pseudonymize(subject)).matches("[0-9a-f]{64}").doesNotContain(subject);
        }
    }

    @Test
    void rejectsSecretsShorterThan16Bytes() {
        assertThatThrownBy(() -> new Pseudonymizer(new byte[15]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 16 bytes");
        assertThatThrownBy(() -> Pseudonymizer.fromUtf8("short-secret"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new Pseudonymizer(new byte[16]).pseudonymize("s")).hasSize(64);
    }

    @Test
    void toStringDoesNotRevealTheSecret() {
        String text = new Pseudonymizer(SECRET).toString();

        assertThat(text)
                .doesNotContain(new String(SECRET, StandardCharsets.UTF_8))
                .doesNotContain("0123456789abcdef")
                .doesNotContain(HexFormat.of().formatHex(SECRET).substring(0, 16))
                .doesNotContain(Base64.getEncoder().encodeToString(SECRET).substring(0, 16));
    }

    @Test
    void theSecretIsCopiedAndTheInstanceIsSafeToShareBetweenThreads() {
        byte[] secret = SECRET.clone();
        Pseudonymizer p = new Pseudonymizer(secret);
        String before = p.pseudonymize("alice@example.com");
        Arrays.fill(secret, (byte) 0);

        assertThat(p.pseudonymize("alice@example.com")).isEqualTo(before);
        List<String> sequential = IntStream.range(0, 2_000).mapToObj(i -> p.pseudonymize("subject-" + i)).toList();
        List<String> parallel = IntStream.range(0, 2_000).parallel().mapToObj(i -> p.pseudonymize("subject-" + i))
                .toList();
        assertThat(parallel).isEqualTo(sequential);
    }
}
