package dev.lethe.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written reader of the common timestamp shape agrees with {@code OffsetDateTime.parse}. */
class InputsTimestampTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-26T10:15:30Z", "2026-11-26T10:15:30.1Z", "2026-11-26T10:15:30.123456789Z",
        "2026-11-26T10:15:30+01:00", "2026-11-26T10:15:30.5-05:30", "2024-02-29T23:59:59+18:00",
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999-18:00"})
    void readsTheCommonShapeAsTheFormatterDoes(String text) throws Exception {
        assertThat(Inputs.commonInstant(text)).isEqualTo(OffsetDateTime.parse(text).toInstant());
        assertThat(Inputs.instant(text, "t")).isEqualTo(OffsetDateTime.parse(text).toInstant());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-26T10:15Z", "2026-11-26t10:15:30z", "2026-11-26T10:15:30.Z",
        "2026-11-26T10:15:30.1234567891Z", "2026-11-26T10:15:30+01:00:00", "2026-11-26T10:15:30"})
    void leavesOtherShapesToTheFormatter(String text) throws Exception {
        assertThat(Inputs.commonInstant(text)).isNull();
        Instant expected;
        try {
            expected = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            assertThatThrownBy(() -> Inputs.instant(text, "t")).isInstanceOf(Inputs.RejectedInput.class);
            return;
        }
        assertThat(Inputs.instant(text, "t")).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-30T10:15:30Z", "2025-02-29T10:15:30Z", "2026-13-01T10:15:30Z",
        "2026-11-26T24:00:00Z", "2026-11-26T10:60:30Z", "2026-11-26T10:15:60Z", "2026-11-26T10:15:30+18:01",
        "2026-11-26T10:15:30+19:00", "2026-1x-26T10:15:30Z", "+2026-11-26T10:15:30Z", "2026-11-26T10:15:30ZZ"})
    void rejectsWhatTheFormatterRejects(String text) {
        assertThatThrownBy(() -> OffsetDateTime.parse(text)).isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> Inputs.instant(text, "requestedAt"))
                .isInstanceOf(Inputs.RejectedInput.class)
                .hasMessageContaining("requestedAt is not an RFC 3339 timestamp");
    }

    @Test
    void agreesWithTheFormatterOnTenThousandRandomTimestampsAndMutations() throws Exception {
        SplittableRandom rng = new SplittableRandom(20261202);
        String[] offsets = {"Z", "+00:00", "-00:00", "+05:30", "-11:45", "+18:00", "-18:00", "+18:30", "+7:00"};
        int agreed = 0;
        for (int i = 0; i < 10_000; i++) {
            String text = String.format("%04d-%02d-%02dT%02d:%02d:%02d%s%s", rng.nextInt(0, 10_000), rng.nextInt(0, 14),
                    rng.nextInt(0, 33), rng.nextInt(0, 25), rng.nextInt(0, 61), rng.nextInt(0, 61),
                    rng.nextBoolean() ? "" : "." + "123456789".substring(0, rng.nextInt(1, 10)),
                    offsets[rng.nextInt(offsets.length)]);
            if (rng.nextInt(10) == 0) { // a random character replaced
                int at = rng.nextInt(text.length());
                text = text.substring(0, at) + "0:-T.Z+a9".charAt(rng.nextInt(9)) + text.substring(at + 1);
            }
            Instant expected;
            try {
                expected = OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                expected = null;
            }
            Instant fast = Inputs.commonInstant(text);
            if (fast != null) {
                assertThat(fast).as(text).isEqualTo(expected);
            }
            if (expected != null) {
                assertThat(Inputs.instant(text, "t")).as(text).isEqualTo(expected);
                agreed++;
            }
        }
        assertThat(agreed).as("valid timestamps among the draws").isGreaterThan(1_000);
    }
}
