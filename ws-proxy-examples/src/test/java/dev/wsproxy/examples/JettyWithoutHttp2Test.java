package dev.wsproxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.jetty.JettyProxyServer;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * This module depends on ws-proxy-jetty like a {@code JettyWebSocketProxy.mount} user: Jetty's HTTP/2 and ALPN jars
 * (optional dependencies of ws-proxy-jetty) are not on its class path, and JettyProxyServer still serves
 * HTTP/1.1 WebSockets, or says what to add when HTTP/2 is asked for.
 */
class JettyWithoutHttp2Test {

    @Test
    void mountUsersDoNotGetJettysHttp2Jars() {
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName("org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory"));
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName("org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory"));
    }

    @Test
    void jettyProxyServerServesHttp11WithoutThem() throws Exception {
        try (Backend backend = Backend.start();
             WebSocketProxy proxy = WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).build();
             JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0));
             TestClient client = TestClient.connect("ws://127.0.0.1:" + server.port() + "/ws/echo")) {
            client.sendText("http/1.1 only");
            assertEquals("http/1.1 only", client.next().asText());
        }
    }

    @Test
    void askingForHttp2WithoutThemNamesTheJarsToAdd() {
        try (WebSocketProxy proxy = WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream("ws://127.0.0.1:1/").build()).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> JettyProxyServer.builder(proxy)
                    .http(new InetSocketAddress("127.0.0.1", 0)).http2(true).start());
            assertTrue(e.getMessage().contains("org.eclipse.jetty.http2:jetty-http2-server"), e.getMessage());
        }
    }
}
