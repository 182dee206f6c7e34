package dev.lethe.daemon.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.quarkus.runtime.configuration.DurationConverter;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Builds a {@link LetheConfig} outside injection: the commands use it to layer what an option
 * decides (the embedded broker's address, the demo's model file) over the application's
 * configuration, and tests use it to configure a daemon exactly as a user would, by keys.
 */
public final class LetheConfigs {

    /** Above every standard source (system properties are 400). */
    private static final int OVERRIDE_ORDINAL = 1000;

    private LetheConfigs() {
    }

    /** {@code overrides} over the given configuration's sources (e.g. the running application's). */
    public static LetheConfig withOverrides(Config base, Map<String, String> overrides) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().withMapping(LetheConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(overrides, "lethe-overrides", OVERRIDE_ORDINAL));
        for (ConfigSource source : base.getConfigSources()) {
            builder.withSources(source);
        }
        return builder.build().getConfigMapping(LetheConfig.class);
    }

    /** {@code overrides} over the defaults, environment variables and system properties. */
    public static LetheConfig of(Map<String, String> overrides) {
        // Quarkus's converter, so "10s" means here what it means in application.properties.
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(LetheConfig.class).addDefaultSources()
                .withConverter(Duration.class, 200, new DurationConverter())
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(overrides, "lethe-overrides", OVERRIDE_ORDINAL)).build();
        return config.getConfigMapping(LetheConfig.class);
    }
}
