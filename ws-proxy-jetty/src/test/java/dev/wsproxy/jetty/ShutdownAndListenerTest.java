package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.HandshakeRequest;
import dev.wsproxy.ProxyConnection;
import dev.wsproxy.ProxyListener;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.MisbehavingPeer;
import dev.wsproxy.testing.RawHttp;
import dev.wsproxy.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Graceful shutdown and the listener's one-open-one-terminal contract. */
class ShutdownAndListenerTest {

    /** Records listener events as strings, e.g. {@code "closed ws-3 4000 bye byClient=true"}. */
    static final class Recorder implements ProxyListener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public void onOpen(ProxyConnection c) {
            events.add("open " + c.id());
        }

        @Override
        public void onClosed(ProxyConnection c, int code, String reason, boolean byClient) {
            events.add("closed " + c.id() + " " + code + " " + reason + " byClient=" + byClient + " msgs="
                    + c.clientToUpstreamMessages() + "/" + c.upstreamToClientMessages());
        }

        @Override
        public void onFailed(ProxyConnection c, int code, String reason, Throwable cause) {
            events.add("failed " + c.id() + " " + code + " " + reason);
        }

        @Override
        public void onRefused(HandshakeRequest request, int status, String reason) {
            events.add("refused " + status);
        }

        String next() throws InterruptedException {
            String e = events.poll(10, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("no listener event within 10s");
            }
            return e;
        }
    }

    @Test
    void closingTheProxySendsGoingAwayToEveryPeerAndRefusesNewHandshakes() throws Exception {
        try (ProxyFixture f = ProxyFixture.start()) {
            List<TestClient> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clients.add(TestClient.connect(f.uri("/ws/echo")));
            }
            assertEquals(3, f.proxy.activeConnections());
            f.proxy.close();
            for (TestClient client : clients) {
                TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
                assertEquals(1001, close.code);
                assertEquals("proxy shutting down", close.reason);
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(1001, f.backend.takeClose().getCloseCode().getCode());
            }
            assertEquals(0, f.proxy.activeConnections());
            RawHttp.Response late = RawHttp.exchange(f.server.port(), "GET /ws/echo HTTP/1.1", "Host: 127.0.0.1",
                    "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
            assertEquals(503, late.status);
            assertTrue(late.body.contains("shutting down"), late.body);
            await().atMost(Duration.ofSeconds(20)).until(() -> proxyThreads() == 0);
        }
    }

    @Test
    void drainForcesConnectionsWhosePeersNeverAnswerTheClose() throws Exception {
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                .drainTimeout(Duration.ofMillis(500)).build());
             java.net.Socket silent = MisbehavingPeer.clientThatNeverReads(f.server.port(), "/ws/echo")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> f.proxy.activeConnections() == 1);
            long start = System.nanoTime();
            f.proxy.close();
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(0, f.proxy.activeConnections());
            assertTrue(tookMillis < 5_000, "close took " + tookMillis + " ms with a 500 ms drain timeout");
            assertEquals(1001, f.backend.takeClose().getCloseCode().getCode());
            await().atMost(Duration.ofSeconds(20)).until(() -> proxyThreads() == 0);
        }
    }

    @Test
    void stoppingTheJettyServerDrainsConnectionsWithGoingAway() throws Exception {
        try (ProxyFixture f = ProxyFixture.start(); TestClient client = TestClient.connect(f.uri("/ws/echo"))) {
            f.server.close();
            TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(1001, close.code);
            assertEquals("proxy shutting down", close.reason);
            assertEquals(1001, f.backend.takeClose().getCloseCode().getCode());
        }
    }

    private static long proxyThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("ws-proxy-timer") || t.getName().startsWith("ws-proxy-worker")
                        || t.getName().startsWith("ws-proxy-connect"))
                .count();
    }

    @Test
    void listenerSeesOneOpenAndExactlyOneTerminalEventPerConnection() throws Exception {
        Recorder recorder = new Recorder();
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                .listener(recorder).build())) {
            TestClient byClient = TestClient.connect(f.uri("/ws/echo"));
            String open = recorder.next();
            String id = open.substring("open ".length());
            byClient.sendText("one");
            byClient.next();
            byClient.close(4000, "bye");
            assertEquals("closed " + id + " 4000 bye byClient=true msgs=1/1", recorder.next());

            TestClient byUpstream = TestClient.connect(f.uri("/ws/control"));
            String id2 = recorder.next().substring("open ".length());
            byUpstream.sendText("close 4001 upstream says bye");
            assertEquals("closed " + id2 + " 4001 upstream says bye byClient=false msgs=1/0", recorder.next());

            TestClient lost = TestClient.connect(f.uri("/ws/echo"));
            String id3 = recorder.next().substring("open ".length());
            lost.abort();
            assertEquals("failed " + id3 + " 1001 client connection lost", recorder.next());

            RawHttp.exchange(f.server.port(), "GET /ws/echo HTTP/1.1", "Host: 127.0.0.1",
                    "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Key: test");
            assertEquals("refused 400", recorder.next());
            await().atMost(Duration.ofSeconds(10)).until(() -> f.proxy.activeConnections() == 0);
            assertEquals(null, recorder.events.poll(500, TimeUnit.MILLISECONDS), "no event after the terminal one");
        }
    }
}
