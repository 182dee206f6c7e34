package dev.lethe.daemon.config;

import dev.lethe.core.model.Architecture;
import dev.lethe.core.unlearn.ForgetObjective;
import dev.lethe.core.unlearn.StopRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.PatternSyntaxException;

/**
 * Checks the settings that take one of a few words (and the parameter regex) when the daemon is
 * built, before Kafka or the model is touched: a typo fails at once, with every bad key and the
 * values it allows in one message, instead of minutes later after recovery.
 */
public final class ConfigChoices {

    private ConfigChoices() {
    }

    /**
     * @throws IllegalArgumentException naming each bad setting, its value and the allowed values
     */
    public static void check(LetheConfig c) {
        List<String> problems = new ArrayList<>();
        choice(problems, "lethe.model.architecture", c.model().architecture(), names(Architecture.values()));
        choice(problems, "lethe.model.device", c.model().device(), List.of("auto", "cpu", "gpu"));
        choice(problems, "lethe.unlearning.projection", c.unlearning().projection(), List.of("global", "per-tensor"));
        choice(problems, "lethe.unlearning.objective", c.unlearning().objective(), names(ForgetObjective.values()));
        choice(problems, "lethe.unlearning.stop", c.unlearning().stop(), names(StopRule.values()));
        try {
            java.util.regex.Pattern.compile(c.unlearning().parameters());
        } catch (PatternSyntaxException e) {
            problems.add("lethe.unlearning.parameters=" + c.unlearning().parameters() + " is not a regular expression: "
                    + e.getDescription());
        }
        java.time.Duration quarantine = c.rebase().quarantineFor();
        if (quarantine.isNegative() || quarantine.compareTo(java.time.Duration.ofDays(30)) > 0) {
            problems.add("lethe.rebase.quarantine-for=" + quarantine + " must be between PT0S and P30D (erased samples"
                    + " may not be kept past the GDPR month)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
        }
    }

    private static void choice(List<String> problems, String key, String value, List<String> allowed) {
        String normalised = value == null ? "" : value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (!allowed.contains(normalised)) {
            problems.add(key + "=" + value + " is not one of " + String.join(", ", allowed));
        }
    }

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList();
    }
}
