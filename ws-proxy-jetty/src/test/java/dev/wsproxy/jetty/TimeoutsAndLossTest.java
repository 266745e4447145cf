package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.RawHttp;
import dev.wsproxy.testing.MisbehavingPeer;
import dev.wsproxy.testing.TestClient;
import jakarta.websocket.CloseReason;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Idle timeout, the connect deadline, and abrupt TCP loss of either peer. */
class TimeoutsAndLossTest {

    @Test
    void idleTimeoutClosesBothSidesWithGoingAwayAndPingsDoNotCountAsData() throws Exception {
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/"))
                        .idleTimeout(Duration.ofSeconds(1)).pingInterval(Duration.ofMillis(250)).build())
                .build());
             TestClient client = TestClient.connect(f.uri("/ws/echo"))) {
            client.sendText("data resets the clock");
            assertEquals("data resets the clock", client.next().asText());
            TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(1001, close.code);
            assertEquals("no data for 1s (idle timeout)", close.reason);
            CloseReason atBackend = f.backend.takeClose();
            assertEquals(1001, atBackend.getCloseCode().getCode());
            assertEquals("no data for 1s (idle timeout)", atBackend.getReasonPhrase());
        }
    }

    @Test
    void upstreamThatNeverAnswersTheHandshakeGets504AtTheDeadline() throws Exception {
        try (MisbehavingPeer upstream = MisbehavingPeer.upstream(MisbehavingPeer.Behaviour.NEVER_ANSWER);
             WebSocketProxy proxy = WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/ws/").upstream("ws://127.0.0.1:" + upstream.port() + "/")
                             .connectTimeout(Duration.ofMillis(700)).build())
                     .detailedErrors(true)
                     .build();
             JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0))) {
            RawHttp.Response response = RawHttp.exchange(server.port(),
                    "GET /ws/x HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
            assertEquals(504, response.status);
            assertTrue(response.body.contains("did not complete the WebSocket handshake within 700ms"), response.body);
            // the upstream did get the TCP connection (its accept loop may record it a little later)
            await().atMost(Duration.ofSeconds(10)).until(() -> upstream.accepted() == 1);
            assertEquals(0, proxy.activeConnections());
        }
    }

    @Test
    void abruptUpstreamLossClosesClientWithBadGateway() throws Exception {
        try (MisbehavingPeer upstream = MisbehavingPeer.upstream(MisbehavingPeer.Behaviour.DROP_AFTER_101);
             WebSocketProxy proxy = WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/ws/").upstream("ws://127.0.0.1:" + upstream.port() + "/").build())
                     .build();
             JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0));
             TestClient client = TestClient.connect("ws://127.0.0.1:" + server.port() + "/ws/x")) {
            TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(1014, close.code);
            assertEquals("upstream connection lost", close.reason);
            await().atMost(Duration.ofSeconds(15)).until(() -> proxy.activeConnections() == 0);
        }
    }

    @Test
    void abruptClientLossClosesUpstreamWithGoingAway() throws Exception {
        try (ProxyFixture f = ProxyFixture.start()) {
            TestClient client = TestClient.connect(f.uri("/ws/echo"));
            client.sendText("hello");
            assertEquals("hello", client.next().asText());
            client.abort();
            CloseReason atBackend = f.backend.takeClose();
            assertEquals(1001, atBackend.getCloseCode().getCode());
            assertEquals("client connection lost", atBackend.getReasonPhrase());
            await().atMost(Duration.ofSeconds(15)).until(() -> f.proxy.activeConnections() == 0);
        }
    }
}
