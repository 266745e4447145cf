package dev.wsproxy.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream on a raw {@link ServerSocket} ({@code 127.0.0.1}, port 0) that answers every WebSocket
 * handshake with a correct 101 (the {@code Sec-WebSocket-Accept} for the request's key, nothing negotiated)
 * and then hands the connection to the test ({@link #take()}), which sees every byte the proxy sends and
 * writes whatever it likes. {@link #answeringAfter} delays the 101 (a late upstream). Each connection is
 * served on its own daemon thread until its 101; the test drives it after that. Thread-safe.
 */
public final class WireUpstream implements AutoCloseable {

    private final ServerSocket serverSocket;
    private final Duration answerDelay;
    private final ScheduledExecutorService delayer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "wire-upstream-delay");
        t.setDaemon(true);
        return t;
    });
    private final BlockingQueue<WireSocket> upgraded = new LinkedBlockingQueue<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    private WireUpstream(Duration answerDelay) throws IOException {
        this.answerDelay = answerDelay;
        serverSocket = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "wire-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Answers every handshake with 101 at once. */
    public static WireUpstream start() throws IOException {
        return new WireUpstream(Duration.ZERO);
    }

    /** Answers every handshake with 101 only after {@code delay} (read from when the request head arrived). */
    public static WireUpstream answeringAfter(Duration delay) throws IOException {
        return new WireUpstream(delay);
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** {@code ws://127.0.0.1:port} + path. */
    public String uri(String path) {
        return "ws://127.0.0.1:" + port() + path;
    }

    /** TCP connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** The next connection whose 101 was sent, waiting up to 10 s; fails if none. */
    public WireSocket take() throws InterruptedException {
        return take(Duration.ofSeconds(10));
    }

    /** The next connection whose 101 was sent, waiting up to {@code max}; fails if none. */
    public WireSocket take(Duration max) throws InterruptedException {
        WireSocket socket = upgraded.poll(max.toMillis(), TimeUnit.MILLISECONDS);
        if (socket == null) {
            throw new AssertionError("no upstream connection was upgraded within " + max);
        }
        return socket;
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                accepted.incrementAndGet();
                sockets.add(socket);
                Thread serve = new Thread(() -> serve(socket), "wire-upstream-conn");
                serve.setDaemon(true);
                serve.start();
            } catch (IOException e) {
                // closed, or a failed accept: go on until the server socket is closed
            }
        }
    }

    private void serve(Socket socket) {
        try {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String head = WireSocket.readHead(in);
            byte[] answer = switchingProtocols(head);
            Runnable respond = () -> {
                try {
                    socket.getOutputStream().write(answer);
                    socket.getOutputStream().flush();
                } catch (IOException e) {
                    // the proxy already gave up on this connection: the test still gets it, to see it closed
                }
                try {
                    upgraded.add(new WireSocket(socket, in, false, head));
                } catch (IOException e) {
                    // closed meanwhile
                }
            };
            if (answerDelay.isZero()) {
                respond.run();
            } else {
                delayer.schedule(respond, answerDelay.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (IOException e) {
            // the proxy went away before its request head was complete
        }
    }

    private static byte[] switchingProtocols(String head) {
        String key = "";
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + RawUpstream.accept(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        delayer.shutdownNow();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
