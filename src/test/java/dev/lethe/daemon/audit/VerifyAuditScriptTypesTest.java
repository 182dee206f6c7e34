package dev.lethe.daemon.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.events.EventTypes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The independent verifier skips what it does not know as an audit type; one type missing there
 * (the retirement event was, at first) breaks every chain link after such an event.
 */
class VerifyAuditScriptTypesTest {

    @Test
    void thePythonVerifierKnowsEveryAuditTypeTheDaemonChains() throws Exception {
        String script = Files.readString(Path.of("scripts", "verify_audit_chain.py"));
        String types = script.substring(script.indexOf("AUDIT_TYPES = {"), script.indexOf("}", script.indexOf("AUDIT_TYPES = {")));
        for (String type : EventTypes.AUDIT_TYPES) {
            assertThat(types).as("AUDIT_TYPES of scripts/verify_audit_chain.py").contains("\"" + type + "\"");
        }
    }
}
