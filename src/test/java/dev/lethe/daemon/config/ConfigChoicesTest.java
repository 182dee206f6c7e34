package dev.lethe.daemon.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.daemon.LetheDaemon;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A typo in a one-of-a-few-words setting fails when the daemon is built, before any broker is reached. */
class ConfigChoicesTest {

    @Test
    void theDefaultsAndEverySpellingTheParsersAcceptPass() {
        assertThatCode(() -> ConfigChoices.check(LetheConfigs.of(Map.of()))).doesNotThrowAnyException();
        assertThatCode(() -> ConfigChoices.check(LetheConfigs.of(Map.of("lethe.unlearning.projection", "per-tensor",
                "lethe.unlearning.objective", "MATCH_LOG", "lethe.unlearning.stop", "budget", "lethe.model.device", "GPU",
                "lethe.model.architecture", "mlp")))).doesNotThrowAnyException();
    }

    @Test
    void everyBadSettingIsNamedWithItsAllowedValuesInOneMessage() {
        LetheConfig config = LetheConfigs.of(Map.of("lethe.unlearning.objective", "match-lgo",
                "lethe.model.device", "cuda", "lethe.unlearning.parameters", "Linear(", "lethe.kafka.bootstrap-servers",
                "unreachable.invalid:9092", "lethe.rebase.quarantine-for", "P31D"));

        assertThatThrownBy(() -> new LetheDaemon(config, new SimpleMeterRegistry(), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lethe.unlearning.objective=match-lgo is not one of ascent, match, match-log")
                .hasMessageContaining("lethe.model.device=cuda is not one of auto, cpu, gpu")
                .hasMessageContaining("lethe.unlearning.parameters=Linear( is not a regular expression")
                .hasMessageContaining("lethe.rebase.quarantine-for=PT744H must be between PT0S and P30D");
    }
}
