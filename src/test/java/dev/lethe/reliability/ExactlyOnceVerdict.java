package dev.lethe.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.core.events.AuditChain;
import dev.lethe.core.events.AuditEvent;
import dev.lethe.core.events.CloudEvent;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.core.events.Pseudonymizer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The checks of Kafka's transactions system test, for Lethe, from the topics alone: read
 * {@code lethe.audit}, {@code lethe.model-versions}, {@code lethe.samples} and the DLQ with
 * {@code read_committed} and assert that every valid request finished exactly once, no sample was
 * forgotten twice, the lineage is whole and verified, and the audit chain holds.
 */
final class ExactlyOnceVerdict {

    /** What was counted, for the report. */
    record Counts(int validRequests, int terminalEvents, int completed, int escalated, int lost, int duplicated,
            int versions, int tombstones, int duplicateTombstones, int auditEvents, int receivedEvents,
            int deadLetters) {
    }

    private ExactlyOnceVerdict() {
    }

    static List<AuditEvent> audit(String bootstrap) {
        List<AuditEvent> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : Fixture.readCommitted(bootstrap, Fixture.AUDIT)) {
            events.add(CloudEventJson.auditEventOf(CloudEventJson.parse(r.value())));
        }
        return events;
    }

    static List<ModelVersionEvent> versions(String bootstrap) {
        List<ModelVersionEvent> versions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : Fixture.readCommitted(bootstrap, Fixture.VERSIONS)) {
            CloudEvent e = CloudEventJson.parse(r.value());
            versions.add(CloudEventJson.modelVersionOf(e.data()));
        }
        return versions;
    }

    static Map<String, Integer> terminalCounts(List<AuditEvent> events) {
        Map<String, Integer> n = new HashMap<>();
        for (AuditEvent e : events) {
            if (isTerminal(e)) {
                n.merge(e.requestId(), 1, Integer::sum);
            }
        }
        return n;
    }

    static boolean isTerminal(AuditEvent e) {
        return e.type().equals(EventTypes.DELETION_COMPLETED) || e.type().equals(EventTypes.DELETION_ESCALATED);
    }

    /**
     * @param requestSubject every valid request id sent, with its subject
     * @param population     the subjects and their samples
     */
    static Counts check(String bootstrap, Map<String, String> requestSubject, Fixture.Population population)
            throws Exception {
        return check(bootstrap, requestSubject, population, null);
    }

    /**
     * The checks for one model of several sharing the topics: its audit events, its chain, its
     * versions and the tombstones it wrote ({@code model} null: every record, one model alone).
     */
    static Counts check(String bootstrap, Map<String, String> requestSubject, Fixture.Population population,
            String model) throws Exception {
        Pseudonymizer pseudonymizer = Pseudonymizer.fromUtf8(Fixture.SECRET);
        Map<String, Fixture.Subject> subjects = population.byId();
        List<AuditEvent> events = audit(bootstrap).stream()
                .filter(e -> model == null || model.equals(e.model())).toList();

        // 1. Every valid request has exactly one terminal event; nothing else has one.
        Map<String, Integer> terminal = terminalCounts(events);
        int lost = 0;
        int duplicated = 0;
        for (String id : requestSubject.keySet()) {
            int n = terminal.getOrDefault(id, 0);
            if (n == 0) {
                lost++;
            } else if (n > 1) {
                duplicated++;
            }
        }
        assertThat(lost).as("valid requests without a terminal audit event").isZero();
        assertThat(duplicated).as("valid requests with more than one terminal audit event").isZero();
        assertThat(requestSubject.keySet()).as("terminal events only for requests that were sent")
                .containsAll(terminal.keySet());

        // 2. The audit chain verifies, and no raw subject id is in it.
        AuditChain.Verification chain = AuditChain.verify(events);
        assertThat(chain.ok()).as("audit chain: %s", chain.reason()).isTrue();
        String auditText = String.join("\n", Fixture.readCommitted(bootstrap, Fixture.AUDIT).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList());
        assertThat(auditText).as("a raw subject id in the audit topic").doesNotContain(Fixture.SUBJECT_MARK);

        // 3. The lineage: 1, 2, 3 … with parent links; every artifact matches its sha256.
        List<ModelVersionEvent> versions = versions(bootstrap).stream()
                .filter(v -> model == null || model.equals(v.model())).toList();
        assertThat(versions).isNotEmpty();
        for (int i = 0; i < versions.size(); i++) {
            ModelVersionEvent v = versions.get(i);
            assertThat(v.version()).as("version number at position %d", i).isEqualTo(i + 1L);
            assertThat(v.parentVersion()).as("parent of v%d", v.version()).isEqualTo(i == 0 ? null : (long) i);
            Path artifact = Path.of(URI.create(v.artifactUri()));
            assertThat(sha256(artifact)).as("sha256 of %s", artifact).isEqualTo(v.sha256());
        }

        // 4. Each subject's samples are forgotten by exactly one version, and each version's
        //    tombstones (same transaction as its version event) are exactly its subjects' samples.
        Map<String, String> refToSubject = new HashMap<>();
        subjects.keySet().forEach(s -> refToSubject.put(pseudonymizer.pseudonymize(s), s));
        Map<String, Long> forgottenBy = new HashMap<>();
        Map<Long, Set<String>> subjectsOfVersion = new TreeMap<>();
        int completed = 0;
        int escalated = 0;
        for (AuditEvent e : events) {
            if (!isTerminal(e)) {
                continue;
            }
            if (e.type().equals(EventTypes.DELETION_ESCALATED)) {
                escalated++;
                continue;
            }
            completed++;
            String subject = refToSubject.get(e.subjectRef());
            assertThat(subject).as("subjectRef of %s is one of the population's", e.requestId()).isNotNull();
            assertThat(requestSubject.get(e.requestId())).as("subject of %s", e.requestId()).isEqualTo(subject);
            if (e.samplesForgotten() > 0) {
                Long before = forgottenBy.putIfAbsent(subject, e.modelVersion());
                assertThat(before == null || before.equals(e.modelVersion()))
                        .as("subject of %s forgotten by v%s and v%s", e.requestId(), before, e.modelVersion()).isTrue();
                assertThat(e.samplesForgotten()).as("samples forgotten for %s", e.requestId())
                        .isEqualTo(subjects.get(subject).sampleIds().size());
                subjectsOfVersion.computeIfAbsent(e.modelVersion(), v -> new HashSet<>()).add(subject);
            }
        }
        for (String subject : new HashSet<>(requestSubject.values())) {
            if (!subjects.get(subject).sampleIds().isEmpty()) {
                assertThat(forgottenBy).as("a completed erasure with samples for a requested subject")
                        .containsKey(subject);
            }
        }
        Map<String, Integer> tombstones = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : Fixture.readCommitted(bootstrap, Fixture.SAMPLES)) {
            Header writer = r.headers().lastHeader(EventTypes.MODEL_HEADER);
            boolean ours = model == null || (writer != null && model.equals(new String(writer.value(), StandardCharsets.UTF_8)));
            if (r.value() == null && ours) {
                tombstones.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
            }
        }
        int duplicateTombstones = (int) tombstones.values().stream().filter(n -> n > 1).count();
        assertThat(duplicateTombstones).as("sample ids tombstoned more than once").isZero();
        Set<String> expectedTombstones = new HashSet<>();
        forgottenBy.keySet().forEach(s -> expectedTombstones.addAll(subjects.get(s).sampleIds()));
        assertThat(tombstones.keySet()).as("tombstoned sample ids = samples of the erased subjects")
                .isEqualTo(expectedTombstones);
        for (ModelVersionEvent v : versions.subList(1, versions.size())) {
            Set<String> ofVersion = subjectsOfVersion.getOrDefault(v.version(), Set.of());
            int samples = ofVersion.stream().mapToInt(s -> subjects.get(s).sampleIds().size()).sum();
            assertThat(v.samplesForgotten()).as("samplesForgotten of v%d", v.version()).isEqualTo(samples);
            for (String requestId : v.requestIds()) {
                assertThat(terminal.getOrDefault(requestId, 0)).as("request %s of v%d", requestId, v.version())
                        .isEqualTo(1);
            }
        }
        assertThat(subjectsOfVersion.keySet()).as("versions named by completed events are published")
                .allMatch(v -> v >= 2 && v <= versions.size());

        // 5. No valid request is in the DLQ.
        List<ConsumerRecord<byte[], byte[]>> dead = Fixture.readCommitted(bootstrap, Fixture.REQUESTS_DLQ);
        List<String> validDead = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            String value = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
            requestSubject.keySet().stream().filter(id -> value.contains("\"" + id + "\"")).forEach(validDead::add);
        }
        assertThat(validDead).as("valid requests in the DLQ").isEmpty();

        int received = (int) events.stream().filter(e -> e.type().equals(EventTypes.DELETION_RECEIVED)).count();
        int tombstoneCount = tombstones.values().stream().mapToInt(Integer::intValue).sum();
        return new Counts(requestSubject.size(), terminal.values().stream().mapToInt(Integer::intValue).sum(),
                completed, escalated, lost, duplicated, versions.size(), tombstoneCount, duplicateTombstones,
                events.size(), received, dead.size());
    }

    static String sha256(Path file) throws Exception {
        assertThat(file).as("artifact of a published version").isRegularFile();
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
