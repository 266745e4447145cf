package dev.wsproxy.jetty;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import java.net.InetSocketAddress;
import java.util.function.Function;

/**
 * A backend, a proxy with {@code /ws/} routed to the backend's root, and a standalone Jetty proxy server,
 * all on 127.0.0.1 with free ports. Closes all three.
 */
final class ProxyFixture implements AutoCloseable {

    final Backend backend;
    final WebSocketProxy proxy;
    final JettyProxyServer server;

    private ProxyFixture(Backend backend, WebSocketProxy proxy, JettyProxyServer server) {
        this.backend = backend;
        this.proxy = proxy;
        this.server = server;
    }

    static ProxyFixture start() throws Exception {
        return start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                .build());
    }

    /** Like {@link #start()}, in front of a backend that keeps every Jetty default (its 30 s idle timeout). */
    static ProxyFixture startWithStockBackend() throws Exception {
        return start(Backend.startWithJettyDefaults(), backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                .build());
    }

    static ProxyFixture start(Function<Backend, WebSocketProxy> proxyFactory) throws Exception {
        return start(Backend.start(), proxyFactory);
    }

    private static ProxyFixture start(Backend backend, Function<Backend, WebSocketProxy> proxyFactory)
            throws Exception {
        WebSocketProxy proxy = proxyFactory.apply(backend);
        JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0));
        return new ProxyFixture(backend, proxy, server);
    }

    /** {@code ws://127.0.0.1:<proxy port>} + path. */
    String uri(String path) {
        return "ws://127.0.0.1:" + server.port() + path;
    }

    @Override
    public void close() throws Exception {
        server.close();
        proxy.close();
        backend.close();
    }
}
