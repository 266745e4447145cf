package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.MisbehavingPeer;
import dev.wsproxy.testing.TestClient;
import jakarta.websocket.CloseReason;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Keepalive pings find dead peers; healthy idle connections stay open. */
class KeepaliveTest {

    private static final Duration PING = Duration.ofMillis(300);

    @Test
    void silentUpstreamIsFailedAndClientGetsBadGatewayWithReason() throws Exception {
        try (MisbehavingPeer upstream = MisbehavingPeer.upstream(MisbehavingPeer.Behaviour.SILENT_AFTER_101);
             WebSocketProxy proxy = WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/ws/").upstream("ws://127.0.0.1:" + upstream.port() + "/")
                             .pingInterval(PING).build())
                     .build();
             JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0));
             TestClient client = TestClient.connect("ws://127.0.0.1:" + server.port() + "/ws/x")) {
            TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(1014, close.code);
            assertEquals("upstream did not answer ping within 300ms (after 0 successful ping/pongs)", close.reason);
            await().atMost(Duration.ofSeconds(15)).until(() -> proxy.activeConnections() == 0);
        }
    }

    @Test
    void clientThatStopsReadingIsFailedAndUpstreamGetsGoingAway() throws Exception {
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).pingInterval(PING).build())
                .build());
             Socket deadClient = MisbehavingPeer.clientThatNeverReads(f.server.port(), "/ws/echo")) {
            CloseReason atBackend = f.backend.takeClose();
            assertEquals(1001, atBackend.getCloseCode().getCode());
            assertTrue(atBackend.getReasonPhrase().startsWith("client did not answer ping within 300ms"),
                    atBackend.getReasonPhrase());
            await().atMost(Duration.ofSeconds(15)).until(() -> f.proxy.activeConnections() == 0);
            assertFalse(deadClient.isClosed());
        }
    }

    @Test
    void answeredPingsKeepAnIdleConnectionOpen() throws Exception {
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).pingInterval(Duration.ofMillis(250))
                        .build())
                .build());
             TestClient client = TestClient.connect(f.uri("/ws/echo"))) {
            // 12 ping intervals with no data: every ping must have been answered by both peers
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> !client.isClosed());
            client.sendText("still here");
            assertEquals("still here", client.next().asText());
        }
    }

    /**
     * With every default, behind a stock Jetty backend (30 s idle timeout, the most common one), an idle
     * connection outlives every timeout on the way: the proxy pings each hop 20 s after the last frame it sent
     * there. Meanwhile two other connections close with 4001 after 30 s of silence, one from each side, and
     * that code, not an idle timeout's 1001, is what arrives.
     */
    @Test
    void idleConnectionBehindStockJettyBackendWorksAfter100SecondsAndCloseCodesSurvive30sOfIdle() throws Exception {
        try (ProxyFixture f = ProxyFixture.startWithStockBackend();
             TestClient idle = TestClient.connect(f.uri("/ws/echo"));
             TestClient closedByClient = TestClient.connect(f.uri("/ws/echo"));
             TestClient closedByUpstream = TestClient.connect(f.uri("/ws/control"))) {
            closedByUpstream.sendText("close-later 30000 4001 upstream after 30s");
            long start = System.nanoTime();
            CloseAfterIdleTest.idleUntil(start, Duration.ofSeconds(30));
            closedByClient.close(4001, "client after 30s");
            TestClient.Close atClient = closedByUpstream.awaitClose(Duration.ofSeconds(10));
            assertEquals(4001, atClient.code, atClient::toString);
            assertEquals("upstream after 30s", atClient.reason);
            assertEquals(java.util.List.of("4001 client after 30s"),
                    CloseAfterIdleTest.backendCloses(f.backend, 1, "client after"));

            await().during(Duration.ofSeconds(65)).atMost(Duration.ofSeconds(75)).until(() -> !idle.isClosed());
            CloseAfterIdleTest.idleUntil(start, Duration.ofSeconds(100));
            idle.sendText("after 100 s");
            assertEquals("after 100 s", idle.next().asText());
            assertEquals(1, f.proxy.activeConnections());
        }
    }
}
