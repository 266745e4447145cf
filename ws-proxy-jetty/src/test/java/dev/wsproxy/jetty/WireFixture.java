package dev.wsproxy.jetty;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.WireSocket;
import dev.wsproxy.testing.WireUpstream;
import java.net.InetSocketAddress;
import java.util.function.UnaryOperator;

/**
 * A {@link WireUpstream}, a proxy routing {@code /ws/} to it in tunnel mode, and a {@link JettyProxyServer}
 * in front, all on 127.0.0.1 with free ports: tests see the bytes on both sides of the proxy. Closes all
 * three.
 */
final class WireFixture implements AutoCloseable {

    final WireUpstream upstream;
    final WebSocketProxy proxy;
    final JettyProxyServer server;

    private WireFixture(WireUpstream upstream, WebSocketProxy proxy, JettyProxyServer server) {
        this.upstream = upstream;
        this.proxy = proxy;
        this.server = server;
    }

    /** Keepalive off unless {@code route} sets it, so no proxy ping lands between the frames a test compares. */
    static WireFixture start(UnaryOperator<ProxyRoute.Builder> route) throws Exception {
        return start(WireUpstream.start(), route);
    }

    static WireFixture start(WireUpstream upstream, UnaryOperator<ProxyRoute.Builder> route) throws Exception {
        WebSocketProxy proxy = WebSocketProxy.builder()
                .route(route.apply(ProxyRoute.prefix("/ws/").upstream(upstream.uri("/"))
                        .relayMode(ProxyRoute.RelayMode.TUNNEL).pingInterval(java.time.Duration.ZERO)).build())
                .build();
        JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0));
        return new WireFixture(upstream, proxy, server);
    }

    /** A raw client connected through the proxy to {@code /ws/} + {@code path}. */
    WireSocket connect(String path) throws Exception {
        return WireSocket.connect(server.port(), "/ws/" + path);
    }

    @Override
    public void close() throws Exception {
        server.close();
        proxy.close();
        upstream.close();
    }
}
