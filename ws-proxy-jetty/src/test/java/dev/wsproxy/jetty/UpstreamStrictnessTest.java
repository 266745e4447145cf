package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.internal.UpstreamClients;
import dev.wsproxy.testing.RawHttp;
import dev.wsproxy.testing.RawUpstream;
import dev.wsproxy.testing.TestClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An upstream that breaks RFC 6455 fails the connection in message mode: an extension the proxy never offered
 * (502 to the client, 1002 to the upstream) and bytes after the 101 that are not a valid frame (1014 to the
 * client, 1002 to the upstream). A masked frame from the upstream is caught only by Jetty's upstream client:
 * Tyrus, the default, drops the MASK bit while parsing and gives no callback that could see it, so that test
 * runs only with {@code -Dwsproxy.upstream.client=jetty}; Jetty's client in turn ignores garbage after the 101.
 */
class UpstreamStrictnessTest {

    private static final boolean JETTY_CLIENT = "jetty".equals(System.getProperty(UpstreamClients.PROPERTY));

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
        assumeFalse(JETTY_CLIENT, "Jetty's upstream client ignores bytes that are not frames");
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
        assumeTrue(JETTY_CLIENT, "Tyrus cannot see the MASK bit of upstream frames (see the class comment)");
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
