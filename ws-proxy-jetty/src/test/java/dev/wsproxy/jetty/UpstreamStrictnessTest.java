package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.RawHttp;
import dev.wsproxy.testing.RawUpstream;
import dev.wsproxy.testing.TestClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An upstream that breaks RFC 6455 fails the connection: an extension the client never offered (502 to the
 * client, 1002 to the upstream), bytes after the 101 that are not a valid frame and a masked frame (1014 to
 * the client, 1002 to the upstream). Tunnel mode (the default) sees all three in the frame headers. In message
 * mode a masked frame is caught only by Jetty's upstream client: Tyrus drops the MASK bit while parsing and
 * gives no callback that could see it; Jetty's client in turn ignores garbage after the 101.
 */
class UpstreamStrictnessTest {

    /** Tunnel mode, the default; message mode with Tyrus is covered where Tyrus can see the problem. */
    private static final boolean JETTY_CLIENT = false;

    @Test
    void unsolicitedExtensionGets502AndTheUpstreamA1002() throws Exception {
        try (RawUpstream upstream = RawUpstream.switchingThen("", "Sec-WebSocket-Extensions: permessage-deflate");
             WebSocketProxy proxy = proxyTo(upstream);
             JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0))) {
            RawHttp.Response response = RawHttp.exchange(server.port(), "GET /ws/x HTTP/1.1", "Host: 127.0.0.1",
                    "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
            assertEquals(502, response.status, response.toString());
            assertNull(response.header("Sec-WebSocket-Extensions"), response.toString());
            if (!JETTY_CLIENT) { // Jetty's client refuses the 101 itself and just drops the TCP connection
                await().atMost(Duration.ofSeconds(10)).until(() -> RawUpstream.firstCloseCode(upstream.received()) == 1002);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.activeConnections() == 0);
        }
    }

    @Test
    void garbageAfterThe101ClosesBothSides() throws Exception {
        try (RawUpstream upstream = RawUpstream.switchingThen("HELLO this is not a WebSocket frame\r\n\r\n");
             WebSocketProxy proxy = proxyTo(upstream);
             JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0))) {
            String uri = "ws://127.0.0.1:" + server.port() + "/ws/x";
            try (TestClient client = TestClient.connect(uri)) {
                TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
                assertEquals(1014, close.code, close.toString());
            } catch (TestClient.HandshakeFailed beforeThe101) {
                assertEquals(502, beforeThe101.status, beforeThe101.toString());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> RawUpstream.firstCloseCode(upstream.received()) == 1002);
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.activeConnections() == 0);
        }
    }

    @Test
    void maskedFrameFromTheUpstreamIsNotRelayed() throws Exception {
        try (RawUpstream upstream = RawUpstream.switchingThen(RawUpstream.maskedTextFrame("sneaky"));
             WebSocketProxy proxy = proxyTo(upstream);
             JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0))) {
            String uri = "ws://127.0.0.1:" + server.port() + "/ws/x";
            try (TestClient client = TestClient.connect(uri)) {
                TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
                assertEquals(1014, close.code, close.toString());
                assertThrows(AssertionError.class, () -> client.next(Duration.ZERO), "a masked upstream frame was relayed");
            } catch (TestClient.HandshakeFailed beforeThe101) {
                assertEquals(502, beforeThe101.status, beforeThe101.toString());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> RawUpstream.firstCloseCode(upstream.received()) == 1002);
        }
    }

    private static WebSocketProxy proxyTo(RawUpstream upstream) {
        return WebSocketProxy.builder().route(ProxyRoute.prefix("/ws/").upstream(upstream.uri("/"))
                .pingInterval(Duration.ZERO).build()).build();
    }
}
