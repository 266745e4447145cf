package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.TestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Slowloris: clients sending their request head one byte per second are answered 408 and disconnected at the
 * request-head deadline, while a healthy WebSocket connection opened among them is unaffected and outlives it.
 */
class RequestHeadDeadlineTest {

    private static final int SLOW_CLIENTS = 300;
    private static final Duration DEADLINE = Duration.ofSeconds(2);
    private static final byte[] HEAD = ("GET /ws/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    @Test
    void slowClientsGet408AtTheDeadlineAndAHealthyConnectionIsUnaffected() throws Exception {
        ScheduledExecutorService dribble = Executors.newScheduledThreadPool(2);
        List<Socket> slow = new ArrayList<>();
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                .requestHeadTimeout(DEADLINE).build())) {
            long started = System.nanoTime();
            AtomicInteger byteIndex = new AtomicInteger();
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", f.server.port()), 5_000);
                socket.setSoTimeout(30_000);
                slow.add(socket);
            }
            // every slow client sends the next byte of its head once a second, like a slowloris attacker
            dribble.scheduleAtFixedRate(() -> {
                int index = byteIndex.getAndIncrement();
                for (Socket socket : slow) {
                    try {
                        socket.getOutputStream().write(HEAD[index % HEAD.length]);
                    } catch (IOException closedByTheServer) {
                        // expected once the deadline passed
                    }
                }
            }, 0, 1, TimeUnit.SECONDS);

            try (TestClient healthy = TestClient.connect(f.uri("/ws/echo"))) {
                healthy.sendText("before");
                assertEquals("before", healthy.next().asText());
                for (Socket socket : slow) {
                    String answer = readUntilClosed(socket.getInputStream());
                    assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
                    assertTrue(answer.contains("request head not received within 2000ms"), answer);
                }
                long elapsed = System.nanoTime() - started;
                assertTrue(elapsed >= DEADLINE.toNanos(), "closed before the deadline: " + elapsed + " ns");
                // the healthy connection outlived the deadline and still relays
                healthy.sendText("after");
                assertEquals("after", healthy.next().asText());
            }
            assertTrue(byteIndex.get() < HEAD.length, "a slow client could have completed its head");
            await().atMost(Duration.ofSeconds(10)).until(() -> f.proxy.activeConnections() == 0);
            f.backend.takeHandshake(); // the healthy one's; no slow client's head ever reached the upstream
            assertEquals(0, f.backend.pendingHandshakes());
        } finally {
            dribble.shutdownNow();
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void aSlowSecondRequestOnAKeptAliveConnectionAlsoGets408() throws Exception {
        ScheduledExecutorService dribble = Executors.newSingleThreadScheduledExecutor();
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                .requestHeadTimeout(Duration.ofSeconds(1)).build());
             Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", f.server.port()), 5_000);
            socket.setSoTimeout(30_000);
            // a complete first request (not proxied: the server answers 404 and keeps the connection)
            socket.getOutputStream().write("GET /other HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            AtomicInteger next = new AtomicInteger();
            dribble.scheduleAtFixedRate(() -> {
                try {
                    socket.getOutputStream().write(HEAD[next.getAndIncrement() % HEAD.length]);
                } catch (IOException closedByTheServer) {
                    // expected at the deadline
                }
            }, 100, 250, TimeUnit.MILLISECONDS);
            String answers = readUntilClosed(socket.getInputStream());
            assertTrue(answers.startsWith("HTTP/1.1 404 "), answers);
            assertTrue(answers.contains("HTTP/1.1 408 "), answers);
            assertTrue(next.get() >= 4, "closed before the second head had a second: " + next.get() + " bytes");
        } finally {
            dribble.shutdownNow();
        }
    }

    @Test
    void zeroTurnsTheDeadlineOff() throws Exception {
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                .requestHeadTimeout(Duration.ZERO).build())) {
            assertTrue(f.server.server().getConnectors()[0].getEventListeners().stream()
                    .noneMatch(l -> l.getClass().getSimpleName().equals("RequestHeadDeadline")));
        }
    }

    @Test
    void theDefaultDeadlineIsInstalled() throws Exception {
        try (ProxyFixture f = ProxyFixture.start()) {
            assertEquals(Duration.ofSeconds(10), f.proxy.requestHeadTimeout());
            assertTrue(f.server.server().getConnectors()[0].getEventListeners().stream()
                    .anyMatch(l -> l.getClass().getSimpleName().equals("RequestHeadDeadline")));
        }
    }

    private static String readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[512];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                answer.write(buffer, 0, n);
            }
        } catch (IOException reset) {
            // a reset after the 408 is a close too
        }
        return answer.toString(StandardCharsets.US_ASCII);
    }
}
