package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.RawHttp;
import dev.wsproxy.testing.TestClient;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Limits the proxy enforces itself: message size and concurrent connections. */
class LimitsTest {

    private static ProxyFixture withRoute(java.util.function.UnaryOperator<ProxyRoute.Builder> route,
                                          java.util.function.UnaryOperator<WebSocketProxy.Builder> proxy)
            throws Exception {
        return ProxyFixture.start(backend -> proxy.apply(WebSocketProxy.builder()
                .route(route.apply(ProxyRoute.prefix("/ws/").upstream(backend.uri("/"))).build())).build());
    }

    @Test
    void oversizeMessageFromClientClosesBothSidesWithTooBig() throws Exception {
        try (ProxyFixture f = withRoute(r -> r.maxMessageSize(1000), p -> p);
             TestClient client = TestClient.connect(f.uri("/ws/echo"))) {
            client.sendBinary(new byte[1000]);
            assertEquals(1000, client.next().data.length);
            client.sendBinary(new byte[1001]);
            TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(1009, close.code);
            assertEquals("client sent a message larger than the 1000 B limit", close.reason);
            CloseReason atBackend = f.backend.takeClose();
            assertEquals(1009, atBackend.getCloseCode().getCode());
        }
    }

    @Test
    void oversizeFragmentedTextIsCountedAcrossFragmentsInUtf8Bytes() throws Exception {
        try (ProxyFixture f = withRoute(r -> r.maxMessageSize(1024), p -> p);
             TestClient client = TestClient.connect(f.uri("/ws/echo"))) {
            String euro = "\u20ac".repeat(200); // 600 UTF-8 bytes, 200 chars
            client.sendTextFragments(euro, euro);
            TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(1009, close.code);
            assertEquals(1009, f.backend.takeClose().getCloseCode().getCode());
        }
    }

    @Test
    void oversizeMessageFromUpstreamClosesBothSidesWithTooBig() throws Exception {
        // the greeting ("hello from upstream", 19 bytes) is over a 10-byte limit
        try (ProxyFixture f = withRoute(r -> r.maxMessageSize(10), p -> p);
             TestClient client = TestClient.connect(f.uri("/ws/greet"))) {
            TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(1009, close.code);
            assertEquals("upstream sent a message larger than the 10 B limit", close.reason);
            assertEquals(1009, f.backend.takeClose().getCloseCode().getCode());
        }
    }

    @Test
    void oversizeFrameFromUpstreamClosesClientWithTooBig() throws Exception {
        try (ProxyFixture f = withRoute(r -> r.maxFrameSize(1024), p -> p);
             TestClient client = TestClient.connect(f.uri("/ws/control"))) {
            client.sendText("send-binary 1000 1");
            assertEquals(1000, client.next().data.length);
            client.sendText("send-binary 2000 1");
            TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(1009, close.code, close::toString);
            assertEquals("upstream sent a frame larger than the 1 KiB limit", close.reason);
            await().atMost(Duration.ofSeconds(10)).until(() -> f.proxy.activeConnections() == 0);
        }
    }

    @Test
    void connectionsOverTheProxyLimitGet503WithRetryAfterAndNoUpstreamConnection() throws Exception {
        try (ProxyFixture f = withRoute(r -> r, p -> p.maxConnections(2))) {
            List<TestClient> clients = new ArrayList<>();
            try {
                clients.add(TestClient.connect(f.uri("/ws/echo")));
                clients.add(TestClient.connect(f.uri("/ws/echo")));
                f.backend.takeHandshake();
                f.backend.takeHandshake();
                RawHttp.Response third = handshake(f);
                assertEquals(503, third.status);
                assertTrue(third.body.contains("limit of 2 connections"), third.body);
                assertEquals("5", third.header("Retry-After"));
                assertEquals(0, f.backend.pendingHandshakes());
            } finally {
                clients.forEach(TestClient::close);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> f.proxy.activeConnections() == 0);
            try (TestClient again = TestClient.connect(f.uri("/ws/echo"))) {
                again.sendText("slots are returned");
                assertEquals("slots are returned", again.next().asText());
            }
        }
    }

    @Test
    void connectionsOverTheRouteLimitGet503() throws Exception {
        try (ProxyFixture f = withRoute(r -> r.maxConnections(1), p -> p);
             TestClient first = TestClient.connect(f.uri("/ws/echo"))) {
            RawHttp.Response second = handshake(f);
            assertEquals(503, second.status);
            assertTrue(second.body.contains("route /ws/ is at its limit of 1 connections"), second.body);
        }
    }

    @Test
    void connectionsOverThePerClientLimitGet503() throws Exception {
        try (ProxyFixture f = withRoute(r -> r, p -> p.maxConnectionsPerClient(1));
             TestClient first = TestClient.connect(f.uri("/ws/echo"))) {
            RawHttp.Response second = handshake(f);
            assertEquals(503, second.status);
            assertTrue(second.body.contains("client 127.0.0.1 is at its limit of 1"), second.body);
        }
    }

    private static RawHttp.Response handshake(ProxyFixture f) throws Exception {
        return RawHttp.exchange(f.server.port(), "GET /ws/echo HTTP/1.1", "Host: 127.0.0.1",
                "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
    }
}
