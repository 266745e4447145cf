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
     * With every default, an idle connection outlives every container default timeout (Jetty's WebSocket
     * idle timeout is 30 s, nginx's proxy_read_timeout 60 s): this is the top complaint about proxies.
     */
    @Test
    void idleConnectionWithDefaultsStaysOpenFor75Seconds() throws Exception {
        try (ProxyFixture f = ProxyFixture.start(); TestClient client = TestClient.connect(f.uri("/ws/echo"))) {
            await().during(Duration.ofSeconds(75)).atMost(Duration.ofSeconds(80)).until(() -> !client.isClosed());
            client.sendText("after 75 s");
            assertEquals("after 75 s", client.next().asText());
            assertEquals(1, f.proxy.activeConnections());
        }
    }
}
