package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.RawUpstream;
import dev.wsproxy.testing.WireFrame;
import dev.wsproxy.testing.WireSocket;
import dev.wsproxy.testing.WireUpstream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A slow or silent upstream must never delay handshakes elsewhere (issue 14): while 2,000 handshakes wait
 * on a route whose upstream accepts TCP and never answers, handshakes on a healthy route keep completing,
 * each within 1 s; and 250 clients pushing at an upstream that never reads (every tunnel blocked on
 * backpressure) leave new handshakes answered within 1 s. Runs against {@link JettyProxyServer}.
 */
class TunnelIsolationTest {

    private static final Duration HANDSHAKE_BUDGET = Duration.ofSeconds(1);
    private static final int HEALTHY_HANDSHAKES = 20;

    @Test
    void handshakesOnAHealthyRouteCompleteWhile2000WaitOnAHangingUpstream() throws Exception {
        int hanging = 2000;
        List<Socket> waiting = new ArrayList<>();
        try (RawUpstream silent = RawUpstream.silent(); WireUpstream healthy = WireUpstream.start();
             WebSocketProxy proxy = WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/hang/").upstream(silent.uri("/"))
                             .connectTimeout(Duration.ofSeconds(60)).pingInterval(Duration.ZERO).build())
                     .route(ProxyRoute.prefix("/ok/").upstream(healthy.uri("/")).pingInterval(Duration.ZERO).build())
                     .build();
             JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0))) {
            try {
                for (int i = 0; i < hanging; i++) {
                    Socket socket = new Socket();
                    waiting.add(socket);
                    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
                    socket.getOutputStream().write(WireSocket.handshake(server.port(), "/hang/" + i));
                }
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> assertEquals(hanging, silent.accepted(), "handshakes that reached the"
                                + " hanging upstream (the rest are stuck inside the proxy)"));

                assertHealthyHandshakesAreQuick(server.port(), "/ok/", healthy);

                for (Socket socket : waiting) {
                    assertEquals(0, socket.getInputStream().available(), "a hanging handshake was answered early");
                }
            } finally {
                for (Socket socket : waiting) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void newHandshakesAreAnsweredWhile250ClientsPushAtAnUpstreamThatNeverReads() throws Exception {
        int pushers = 250;
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService threads = Executors.newFixedThreadPool(pushers);
        List<WireSocket> clients = new ArrayList<>();
        List<WireSocket> upstreams = new ArrayList<>();
        List<AtomicLong> writeStarted = new ArrayList<>();
        try (WireFixture f = WireFixture.start(r -> r)) {
            try {
                for (int i = 0; i < pushers; i++) {
                    clients.add(f.connect("push" + i));
                    upstreams.add(f.upstream.take()); // held, never read
                }
                for (WireSocket client : clients) {
                    AtomicLong started = new AtomicLong();
                    writeStarted.add(started);
                    threads.submit(() -> push(client, started, stop));
                }
                // every pusher is stuck in a write: the proxy's buffers toward the upstream and the sockets are full
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                        writeStarted.stream().allMatch(s -> s.get() != 0
                                && System.nanoTime() - s.get() > Duration.ofMillis(300).toNanos()));

                assertHealthyHandshakesAreQuick(f.server.port(), "/ws/", f.upstream);
            } finally {
                stop.set(true);
                // both peers vanish: a tunnel blocked writing to its upstream reads no more from its client, so
                // the upstream's reset is what it notices (keepalive, off here, would find it too)
                for (WireSocket upstream : upstreams) {
                    upstream.abort();
                }
                for (WireSocket client : clients) {
                    client.abort();
                }
                threads.shutdownNow();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> f.proxy.activeConnections() == 0);
        }
    }

    /** {@link #HEALTHY_HANDSHAKES} handshakes one after another, each answered within the budget and working. */
    private static void assertHealthyHandshakesAreQuick(int port, String prefix, WireUpstream upstream)
            throws Exception {
        for (int i = 0; i < HEALTHY_HANDSHAKES; i++) {
            long start = System.nanoTime();
            try (WireSocket client = WireSocket.connect(port, prefix + "healthy" + i)) {
                long took = System.nanoTime() - start;
                assertTrue(took < HANDSHAKE_BUDGET.toNanos(), "healthy handshake " + i + " took " + took / 1_000_000
                        + " ms");
                try (WireSocket atUpstream = upstream.take()) {
                    WireFrame hello = client.sendFrame(WireFrame.TEXT, true, ("hello " + i).getBytes());
                    assertEquals(hello, atUpstream.readFrame());
                }
            }
        }
    }

    /** Writes 64 KiB frames until stopped or the connection fails; {@code started} holds when the current write began. */
    private static void push(WireSocket client, AtomicLong started, AtomicBoolean stop) {
        byte[] payload = new byte[64 * 1024];
        try {
            while (!stop.get()) {
                started.set(System.nanoTime());
                client.sendFrame(WireFrame.BINARY, true, payload);
            }
        } catch (IOException e) {
            // closed at the end of the test
        }
    }
}
