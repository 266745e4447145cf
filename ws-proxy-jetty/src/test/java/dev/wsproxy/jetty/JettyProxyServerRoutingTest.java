package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.RawHttp;
import dev.wsproxy.testing.RawUpstream;
import dev.wsproxy.testing.WireFrame;
import dev.wsproxy.testing.WireSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code JettyProxyServer} answers tunnel handshakes in Jetty's core and hands everything else to its servlet
 * context: both relay modes on one server, each request where it belongs. Tunnel mode is told from message mode
 * by the key the upstream sees (a tunnel forwards the client's own {@code Sec-WebSocket-Key}, message mode's
 * upstream hop has its own).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JettyProxyServerRoutingTest {

    private Backend backend;
    private WebSocketProxy proxy;
    private JettyProxyServer server;

    @BeforeAll
    void start() throws Exception {
        backend = Backend.start();
        proxy = WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/t/").upstream(backend.uri("/")).build())
                .route(ProxyRoute.prefix("/m/").upstream(backend.uri("/")).relayMode(ProxyRoute.RelayMode.MESSAGE)
                        .build())
                .route(ProxyRoute.prefix("/strict/").upstream(backend.uri("/")).rejectNonUpgrade(true).build())
                .build();
        server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        proxy.close();
        backend.close();
    }

    @Test
    void aTunnelRouteForwardsTheClientsKeyAndEchoes() throws Exception {
        try (WireSocket client = WireSocket.connect(server.port(), "/t/echo")) {
            assertEquals(client.header("Sec-WebSocket-Accept"), acceptFor(backend.takeHandshake()),
                    "a tunnel forwards the client's key, so the upstream's accept is the client's");
            assertEquals("tunnel", echo(client, "tunnel"));
        }
    }

    @Test
    void aMessageRouteOnTheSameServerIsRelayedInMessageMode() throws Exception {
        try (WireSocket client = WireSocket.connect(server.port(), "/m/echo")) {
            assertNotEquals(client.header("Sec-WebSocket-Accept"), acceptFor(backend.takeHandshake()),
                    "message mode's upstream hop has its own key");
            assertEquals("message", echo(client, "message"));
        }
    }

    @Test
    void refusalsOnATunnelRouteKeepTheirStatusAndOneLineReason() throws Exception {
        RawHttp.Response badVersion = RawHttp.exchange(server.port(), "GET /t/echo HTTP/1.1",
                "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 8",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        assertEquals(426, badVersion.status, badVersion.toString());
        assertEquals("13", badVersion.header("Sec-WebSocket-Version"));
        assertTrue(badVersion.header("Content-Type").startsWith("text/plain"), badVersion.toString());
        assertTrue(badVersion.body.contains("Sec-WebSocket-Version"), badVersion.body);
        assertEquals(1, badVersion.body.strip().lines().count(), badVersion.body);

        RawHttp.Response notWebSocket = RawHttp.exchange(server.port(), "GET /strict/x HTTP/1.1",
                "Host: 127.0.0.1", "Upgrade: h2c-like", "Connection: Upgrade");
        assertEquals(426, notWebSocket.status, notWebSocket.toString());
        assertEquals("websocket", notWebSocket.header("Upgrade"));
    }

    @Test
    void pathsOnNoRouteReachTheServletContextAnd404() throws Exception {
        RawHttp.Response response = RawHttp.exchange(server.port(), "GET /nowhere HTTP/1.1", "Host: 127.0.0.1",
                "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        assertEquals(404, response.status, response.toString());
    }

    /** The accept value for the key the upstream received (RFC 6455 4.2.2). */
    private static String acceptFor(Backend.Recorded upstreamHandshake) {
        return RawUpstream.accept(upstreamHandshake.header("Sec-WebSocket-Key"));
    }

    private static String echo(WireSocket client, String text) throws Exception {
        client.sendFrame(WireFrame.TEXT, true, text.getBytes(StandardCharsets.UTF_8));
        return new String(client.readFrameAnsweringPings().payload, StandardCharsets.UTF_8);
    }
}
