package io.commitviewer.testsupport;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A TCP proxy on loopback between a service and its MongoDB or RabbitMQ, that the test controls:
 * the faults of a real network without a real network. It can
 * <ul>
 * <li>cut one direction ({@link #cut}) or both: what the cut side sends is lost, the connections
 *     stay open, and the peers hear silence, as across a partition (not a closed socket);</li>
 * <li>lose the reply to a MongoDB request after the server applied it ({@link #loseReplyTo}): the
 *     request is forwarded, the server's answer dropped and the client's connection reset, which is
 *     what a client sees of a timeout or a reset after its write landed;</li>
 * <li>cut both ways right after a matching request's reply went through ({@link #cutAfterReplyTo}),
 *     to freeze the store at one step of a longer story.</li>
 * </ul>
 * {@link #mongo} proxies read MongoDB's wire protocol frames (a little-endian length first) so
 * that rules match whole requests; {@link #tcp} proxies forward raw bytes (RabbitMQ).
 */
public final class FaultProxy implements AutoCloseable {

    /** Which way bytes travel. */
    public enum Direction {
        /** From the service to the server (requests, publishes, heartbeats the client sends). */
        TO_SERVER,
        /** From the server to the service (replies, deliveries). */
        TO_CLIENT
    }

    private final InetSocketAddress target;
    private final boolean framed;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<Direction> cut = ConcurrentHashMap.newKeySet();
    private final CopyOnWriteArrayList<Rule> rules = new CopyOnWriteArrayList<>();
    private final java.util.Map<Direction, java.time.Duration> delays = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private record Rule(Predicate<byte[]> request, boolean loseReply, AtomicInteger remaining, AtomicInteger fired) {
    }

    private FaultProxy(InetSocketAddress target, boolean framed) {
        this.target = target;
        this.framed = framed;
        try {
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "fault-proxy-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy to a MongoDB (or its stand-in) that sees whole requests and replies. */
    public static FaultProxy mongo(String host, int port) {
        return new FaultProxy(new InetSocketAddress(host, port), true);
    }

    /** A proxy that forwards raw bytes (RabbitMQ, anything). */
    public static FaultProxy tcp(String host, int port) {
        return new FaultProxy(new InetSocketAddress(host, port), false);
    }

    public String host() {
        return listener.getInetAddress().getHostAddress();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** From now on, what travels {@code direction} is lost; connections stay open. */
    public void cut(Direction direction) {
        cut.add(direction);
    }

    /** Both directions lost: a partition. */
    public void cutBoth() {
        cut.add(Direction.TO_SERVER);
        cut.add(Direction.TO_CLIENT);
    }

    /** From now on, what travels {@code direction} waits {@code delay} first (each request, or each chunk read): a slow link. */
    public void delay(Direction direction, java.time.Duration delay) {
        delays.put(direction, delay);
    }

    /** Forwards both ways again, without delay, and forgets every rule not fired yet. */
    public void heal() {
        cut.clear();
        delays.clear();
        rules.clear();
    }

    private static void slowDown(java.util.Map<Direction, java.time.Duration> delays, Direction direction) throws IOException {
        java.time.Duration delay = delays.get(direction);
        if (delay != null) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    /** Drops every connection (both sides see them closed); new ones are accepted as before. */
    public void resetConnections() {
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
    }

    /**
     * The next {@code times} MongoDB requests that {@code request} accepts reach the server; their
     * replies are dropped and the client's connection is reset. Returns a count of how many fired.
     */
    public AtomicInteger loseReplyTo(Predicate<byte[]> request, int times) {
        requireFramed();
        Rule rule = new Rule(request, true, new AtomicInteger(times), new AtomicInteger());
        rules.add(rule);
        return rule.fired();
    }

    /**
     * Once the reply to the next MongoDB request that {@code request} accepts has gone through,
     * both directions are cut ({@link #heal} joins them again). Returns a count of how many fired.
     */
    public AtomicInteger cutAfterReplyTo(Predicate<byte[]> request) {
        requireFramed();
        Rule rule = new Rule(request, false, new AtomicInteger(1), new AtomicInteger());
        rules.add(rule);
        return rule.fired();
    }

    private void requireFramed() {
        if (!framed) {
            throw new IllegalStateException("rules on requests need a proxy that reads MongoDB frames");
        }
    }

    /**
     * A request that names {@code value} under {@code key} as a BSON string: e.g. the command
     * {@code update} on the collection {@code projects} is {@code bsonString("update", "projects")}.
     */
    public static Predicate<byte[]> bsonString(String key, String value) {
        byte[] name = key.getBytes(StandardCharsets.UTF_8);
        byte[] text = value.getBytes(StandardCharsets.UTF_8);
        ByteBuffer pattern = ByteBuffer.allocate(1 + name.length + 1 + 4 + text.length + 1).order(ByteOrder.LITTLE_ENDIAN);
        pattern.put((byte) 0x02).put(name).put((byte) 0).putInt(text.length + 1).put(text).put((byte) 0);
        byte[] bytes = pattern.array();
        return frame -> indexOf(frame, bytes) >= 0;
    }

    /** A request whose bytes hold {@code text} anywhere (a field name, a value). */
    public static Predicate<byte[]> containing(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return frame -> indexOf(frame, bytes) >= 0;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(target, 5_000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                Connection connection = new Connection(client, server);
                start(() -> connection.pump(client, server, Direction.TO_SERVER), "to-server");
                start(() -> connection.pump(server, client, Direction.TO_CLIENT), "to-client");
            } catch (IOException e) {
                if (!closed) {
                    continue; // the target refused one connection: the client sees its own closed
                }
                return;
            }
        }
    }

    private void start(Runnable pump, String name) {
        Thread thread = new Thread(pump, "fault-proxy-" + port() + "-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** One client connection and its server connection; the requests whose replies are to be lost or cut after. */
    private final class Connection {
        private final Socket client;
        private final Socket server;
        private final ConcurrentHashMap<Integer, Rule> awaited = new ConcurrentHashMap<>();

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void pump(Socket from, Socket to, Direction direction) {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                if (framed) {
                    pumpFrames(new DataInputStream(in), out, direction);
                } else {
                    byte[] buffer = new byte[16 * 1024];
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        slowDown(delays, direction);
                        if (!cut.contains(direction)) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    }
                }
            } catch (IOException e) {
                // one side closed or was reset: the other side is closed below
            } finally {
                closeQuietly(client);
                closeQuietly(server);
                sockets.remove(client);
                sockets.remove(server);
            }
        }

        private void pumpFrames(DataInputStream in, OutputStream out, Direction direction) throws IOException {
            byte[] header = new byte[16];
            while (true) {
                try {
                    in.readFully(header);
                } catch (EOFException e) {
                    return;
                }
                ByteBuffer fields = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
                int length = fields.getInt(0);
                int requestId = fields.getInt(4);
                int responseTo = fields.getInt(8);
                if (length < 16 || length > 64 << 20) {
                    throw new IOException("not a MongoDB frame: length " + length);
                }
                byte[] frame = new byte[length];
                System.arraycopy(header, 0, frame, 0, 16);
                in.readFully(frame, 16, length - 16);
                slowDown(delays, direction);
                if (cut.contains(direction)) {
                    continue;
                }
                if (direction == Direction.TO_SERVER) {
                    for (Rule rule : rules) {
                        if (rule.request().test(frame) && rule.remaining().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            awaited.put(requestId, rule);
                            break;
                        }
                    }
                    out.write(frame);
                    out.flush();
                } else {
                    Rule rule = awaited.remove(responseTo);
                    if (rule != null && rule.loseReply()) {
                        rule.fired().incrementAndGet();
                        closeQuietly(client); // the reply never arrives: the client's read fails
                        return;
                    }
                    out.write(frame);
                    out.flush();
                    if (rule != null) {
                        cutBoth();
                        rule.fired().incrementAndGet();
                    }
                }
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        resetConnections();
    }
}
