package dev.lethe.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy that injects network faults, chunk by chunk, from a seeded random
 * sequence: a delay before a chunk is passed on, a cut (both sockets reset), or a black hole (the
 * connection stays open but nothing passes any more, as when packets are dropped, until the client
 * gives up on it). Plain blocking sockets, two threads per connection. {@link #faults} switches
 * the fault mix at any time; {@link Faults#NONE} heals the network.
 */
final class FaultProxy implements AutoCloseable {

    /** What happens to a chunk: each chance is per chunk read from either side. */
    record Faults(double delayChance, int minDelayMs, int maxDelayMs, double cutChance, double blackholeChance) {
        static final Faults NONE = new Faults(0, 0, 0, 0, 0);

        static Faults delayEveryChunk(int ms) {
            return new Faults(1, ms, ms, 0, 0);
        }
    }

    /** How many of each fault were injected. */
    record Injected(int connections, int delays, int cuts, int blackholes) {
        int faults() {
            return delays + cuts + blackholes;
        }
    }

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Random rng;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger delays = new AtomicInteger();
    private final AtomicInteger cuts = new AtomicInteger();
    private final AtomicInteger blackholes = new AtomicInteger();
    private volatile Faults faults = Faults.NONE;
    private volatile boolean closed;

    /** Listens on a free loopback port now; connects each client to {@code targetPort} when it comes. */
    FaultProxy(int targetPort, long seed) {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        target = new InetSocketAddress(KRaftNode.HOST, targetPort);
        rng = new Random(seed);
        Thread accept = new Thread(this::accept, "fault-proxy-accept-" + port());
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    void faults(Faults faults) {
        this.faults = faults;
    }

    /** Resets every open connection at once (a network partition of a moment); returns how many. */
    int cutAll() {
        int n = open.size() / 2;
        open.forEach(FaultProxy::reset);
        cuts.addAndGet(n);
        return n;
    }

    Injected injected() {
        return new Injected(connections.get(), delays.get(), cuts.get(), blackholes.get());
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream;
                try {
                    upstream = new Socket(target.getAddress(), target.getPort());
                } catch (IOException refused) { // the broker is down: so is the proxied connection
                    reset(client);
                    continue;
                }
                connections.incrementAndGet();
                open.add(client);
                open.add(upstream);
                Connection c = new Connection(client, upstream);
                start(() -> c.pump(client, upstream), "fault-proxy-up-" + client.getPort());
                start(() -> c.pump(upstream, client), "fault-proxy-down-" + client.getPort());
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private static void start(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private final class Connection {
        private final Socket client;
        private final Socket upstream;
        private volatile boolean blackholed;

        Connection(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void pump(Socket from, Socket to) {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    Faults f = faults;
                    double draw;
                    int delay;
                    synchronized (rng) {
                        draw = rng.nextDouble();
                        delay = f.minDelayMs() + rng.nextInt(f.maxDelayMs() - f.minDelayMs() + 1);
                    }
                    if (!blackholed && draw < f.blackholeChance()) {
                        blackholed = true;
                        blackholes.incrementAndGet();
                    }
                    if (blackholed) {
                        continue; // read and drop: the peer sees silence, not a closed socket
                    }
                    if (draw < f.blackholeChance() + f.cutChance()) {
                        cuts.incrementAndGet();
                        break;
                    }
                    if (draw < f.blackholeChance() + f.cutChance() + f.delayChance() && delay > 0) {
                        delays.incrementAndGet();
                        Thread.sleep(delay); // the injected latency itself
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed or reset: the other goes with it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                reset(client);
                reset(upstream);
                open.remove(client);
                open.remove(upstream);
            }
        }
    }

    /** Closes with a TCP reset rather than an orderly FIN. */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        open.forEach(FaultProxy::reset);
    }
}
