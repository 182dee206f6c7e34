package dev.lethe.perf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A reproducible stream of deletion-request records as they arrive on the topic: plain JSON (90 %)
 * and structured CloudEvents (10 %), keyed by subject id; 5 % resend an earlier request id, 5 %
 * name a subject the index does not know, 1 % are malformed.
 */
public final class RequestStream {

    /** One record: key, value, headers. */
    public record Record(byte[] key, byte[] value, Map<String, byte[]> headers) {
    }

    private RequestStream() {
    }

    public static List<Record> generate(int n, int subjects, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Record> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double u = rng.nextDouble();
            String requestId = u < 0.05 && i > 0 ? "req-" + seed + "-" + rng.nextInt(i) : "req-" + seed + "-" + i;
            String subject = rng.nextDouble() < 0.05 ? "unknown-" + i : IndexFixture.subjectId(rng.nextInt(subjects));
            String value;
            double kind = rng.nextDouble();
            if (kind < 0.01) {
                value = "{\"requestId\": \"" + requestId + "\", \"subjectId\": ";
            } else if (kind < 0.11) {
                value = "{\"specversion\":\"1.0\",\"id\":\"" + requestId + "\",\"source\":\"/privacy\","
                        + "\"type\":\"dev.lethe.deletion.requested\",\"time\":\"2026-11-26T10:00:00Z\","
                        + "\"datacontenttype\":\"application/json\",\"data\":{\"requestId\":\"" + requestId
                        + "\",\"subjectId\":\"" + subject + "\"}}";
            } else {
                value = "{\"requestId\":\"" + requestId + "\",\"subjectId\":\"" + subject
                        + "\",\"requestedAt\":\"2026-11-26T10:00:00Z\"}";
            }
            records.add(new Record(subject.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), Map.of()));
        }
        return records;
    }
}
