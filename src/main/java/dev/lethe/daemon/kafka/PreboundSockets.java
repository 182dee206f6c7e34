package dev.lethe.daemon.kafka;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.server.ServerSocketFactory;
import org.jboss.logging.Logger;

/**
 * Listening sockets bound on 127.0.0.1 before the node starts and handed to its socket
 * servers by listener name. Binding first gives the real ports (for port 0, and for the
 * controller's entry in {@code controller.quorum.voters}) and fails fast on a busy port.
 */
final class PreboundSockets implements ServerSocketFactory {

    private static final Logger LOG = Logger.getLogger(EmbeddedKafka.class);
    private static final String HOST = EmbeddedKafka.HOST;
    private static final int LISTEN_BACKLOG = 50;

    private final Map<String, ServerSocketChannel> unused = new ConcurrentHashMap<>();

    int bind(String listener, int port) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.configureBlocking(false);
            channel.bind(new InetSocketAddress(HOST, port), LISTEN_BACKLOG);
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot listen on " + HOST + ":" + port + " for Kafka's "
                    + listener + " listener: " + e.getMessage(), e);
        }
        unused.put(listener, channel);
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    @Override
    public ServerSocketChannel openServerSocket(String listenerName, InetSocketAddress address,
                                                int backlog, int recvBufferSize) throws IOException {
        ServerSocketChannel channel = unused.remove(listenerName);
        if (channel != null && channel.isOpen()) {
            if (recvBufferSize > 0) {
                channel.socket().setReceiveBufferSize(recvBufferSize);
            }
            return channel;
        }
        return ServerSocketFactory.INSTANCE.openServerSocket(listenerName, address, backlog, recvBufferSize);
    }

    void closeUnused() {
        unused.values().forEach(channel -> {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debugf("closing a listening socket: %s", e);
            }
        });
        unused.clear();
    }
}
