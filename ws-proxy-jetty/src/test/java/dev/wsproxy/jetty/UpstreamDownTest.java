package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.RawHttp;
import dev.wsproxy.testing.TestClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * When nothing listens at the upstream address, the client gets 502 with a generic reason and the connection id
 * (the upstream's address stays out of the body) and no upgrade; the listener gets the full reason.
 */
class UpstreamDownTest {

    private static ProxyFixture fixture;
    private static final java.util.List<String> REFUSALS = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void startProxyToDeadPort() throws Exception {
        int deadPort = freePortWithNothingListening();
        fixture = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream("ws://127.0.0.1:" + deadPort + "/").build())
                .listener(new dev.wsproxy.ProxyListener() {
                    @Override
                    public void onRefused(dev.wsproxy.HandshakeRequest request, int status, String reason) {
                        REFUSALS.add(reason);
                    }
                })
                .build());
    }

    @AfterAll
    static void stopProxy() throws Exception {
        fixture.close();
    }

    private static int freePortWithNothingListening() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    @Test
    void handshakeToDownUpstreamIsAnswered502WithReason() throws Exception {
        RawHttp.Response response = RawHttp.exchange(fixture.server.port(),
                "GET /ws/echo HTTP/1.1",
                "Host: 127.0.0.1:" + fixture.server.port(),
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                "Sec-WebSocket-Version: 13");
        assertEquals(502, response.status, response.toString());
        assertNull(response.header("Sec-WebSocket-Accept"), response.toString());
        assertTrue(response.body.matches("upstream unavailable \\(connection (ws-[0-9a-f]+)\\)\\n"), response.body);
        assertTrue(!response.body.contains("127.0.0.1"), "no upstream address in the body: " + response.body);
        await().atMost(Duration.ofSeconds(5)).until(() -> REFUSALS.stream()
                .anyMatch(r -> r.contains("ws://127.0.0.1:") && r.contains("refused the connection")));
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.proxy.activeConnections() == 0);
    }

    @Test
    void clientConnectingToDownUpstreamFailsWith502() {
        TestClient.HandshakeFailed failure = assertThrows(TestClient.HandshakeFailed.class,
                () -> TestClient.connect(fixture.uri("/ws/echo")));
        assertEquals(502, failure.status, failure.toString());
    }
}
