package dev.lethe.daemon;

import dev.lethe.daemon.kafka.KafkaClients;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The running daemon, if this process serves one ({@code serve}, {@code demo}); empty for the
 * other commands. The REST resources and health checks read it.
 */
@ApplicationScoped
public class DaemonHolder {

    private volatile LetheDaemon daemon;
    private KafkaProducer<byte[], byte[]> requestProducer;

    public void set(LetheDaemon daemon) {
        this.daemon = daemon;
    }

    public Optional<LetheDaemon> daemon() {
        return Optional.ofNullable(daemon);
    }

    /** The producer the REST API puts requests on the requests topic with; created on first use. */
    public synchronized KafkaProducer<byte[], byte[]> requestProducer() {
        LetheDaemon d = daemon;
        if (d == null) {
            throw new IllegalStateException("not serving");
        }
        if (requestProducer == null) {
            requestProducer = new KafkaClients(d.config()).producer("rest-api");
        }
        return requestProducer;
    }

    @PreDestroy
    synchronized void close() {
        if (requestProducer != null) {
            requestProducer.close(java.time.Duration.ofSeconds(5));
            requestProducer = null;
        }
    }
}
