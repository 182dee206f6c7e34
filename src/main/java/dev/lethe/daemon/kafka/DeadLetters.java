package dev.lethe.daemon.kafka;

import dev.lethe.core.events.EventTypes;
import dev.lethe.core.events.Sha256Hex;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Dead letters that the producer may not send. A record the broker accepted compressed can be
 * larger than the producer's {@code max.request.size} once copied uncompressed; sending it would
 * fail the transaction and, redelivered, stop every erasure behind it. Such a copy is replaced by a
 * bounded record with no payload: no key, no value, no original headers — only where it came from,
 * its size, its sha256 and why.
 */
public final class DeadLetters {

    /** Header of a bounded dead letter: the original value's size in bytes. */
    public static final String SIZE = "dead-letter-size";
    /** Header of a bounded dead letter: the original value's sha256, hex. */
    public static final String SHA256 = "dead-letter-sha256";
    /** Per record and header: Kafka's record and batch framing, generously. */
    private static final int OVERHEAD = 128;

    private DeadLetters() {
    }

    public static boolean isDeadLetter(ProducerRecord<byte[], byte[]> record) {
        return record.headers().lastHeader(EventTypes.DEAD_LETTER_REASON) != null;
    }

    /** An upper bound of what the producer counts against {@code max.request.size}. */
    public static long estimatedSize(ProducerRecord<byte[], byte[]> record) {
        long size = OVERHEAD + length(record.key()) + length(record.value());
        for (Header h : record.headers()) {
            size += OVERHEAD + h.key().length() + length(h.value());
        }
        return size;
    }

    /** The dead letter without its payload: origin, size, sha256 and the reasons. */
    public static ProducerRecord<byte[], byte[]> bounded(ProducerRecord<byte[], byte[]> letter, String why) {
        RecordHeaders headers = new RecordHeaders();
        for (String name : new String[] {EventTypes.DEAD_LETTER_TOPIC, EventTypes.DEAD_LETTER_PARTITION,
                EventTypes.DEAD_LETTER_OFFSET}) {
            Header h = letter.headers().lastHeader(name);
            if (h != null) {
                headers.add(name, h.value());
            }
        }
        Header reason = letter.headers().lastHeader(EventTypes.DEAD_LETTER_REASON);
        String original = new String(reason.value(), StandardCharsets.UTF_8);
        headers.add(EventTypes.DEAD_LETTER_REASON, Records.utf8(original + "; copy without payload: " + why));
        headers.add(SIZE, Records.utf8(String.valueOf(length(letter.value()))));
        headers.add(SHA256, Records.utf8(sha256(letter.value())));
        return new ProducerRecord<byte[], byte[]>(letter.topic(), letter.partition(), (byte[]) null, (byte[]) null, headers);
    }

    private static String sha256(byte[] value) {
        return Sha256Hex.of(value == null ? new byte[0] : value);
    }

    private static int length(byte[] b) {
        return b == null ? 0 : b.length;
    }
}
