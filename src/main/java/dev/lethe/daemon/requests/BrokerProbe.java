package dev.lethe.daemon.requests;

import dev.lethe.daemon.observe.DaemonState;
import dev.lethe.daemon.observe.LetheMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Every few seconds, asks the broker for the requests topic's end offsets: a real round trip
 * (poll returns empty whether or not the broker is there), which is what readiness needs, and
 * the consumer lag comes with it. Runs on the request listener's thread: it uses its consumer.
 */
final class BrokerProbe {

    private static final Logger LOG = Logger.getLogger(BrokerProbe.class);
    static final Duration INTERVAL = Duration.ofSeconds(5);
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Consumer<?, ?> consumer;
    private final String topic;
    private final LetheMetrics metrics;
    private final DaemonState state;
    private final Clock clock;
    private Instant last;

    BrokerProbe(Consumer<?, ?> consumer, String topic, LetheMetrics metrics, DaemonState state, Clock clock) {
        this.consumer = consumer;
        this.topic = topic;
        this.metrics = metrics;
        this.state = state;
        this.clock = clock;
    }

    void probeIfDue() {
        Instant now = clock.instant();
        if (last != null && Duration.between(last, now).compareTo(INTERVAL) < 0) {
            return;
        }
        last = now;
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            long lag = 0;
            for (TopicPartition tp : consumer.assignment()) {
                Long e = end.get(tp);
                if (e != null) {
                    lag += Math.max(0, e - consumer.position(tp, TIMEOUT));
                }
            }
            metrics.requestLag(lag);
            state.kafkaContact(clock.instant());
        } catch (TimeoutException e) {
            LOG.warnf("Kafka did not answer within %d s: %s", TIMEOUT.toSeconds(), e.getMessage());
        }
    }
}
