package dev.wsproxy.server;

import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.jetty.JettyProxyServer;
import dev.wsproxy.servlet.ProxyProperties;
import java.net.URI;

/**
 * A running proxy: the {@link WebSocketProxy} built from the configuration and the {@link JettyProxyServer} in
 * front of it. {@link #close()} drains (every client and upstream gets 1001, up to the proxy's
 * {@code drain-timeout}), stops the server and releases the proxy. Thread-safe; close is idempotent.
 */
final class StandaloneServer implements AutoCloseable {

    private final WebSocketProxy proxy;
    private final JettyProxyServer server;

    private StandaloneServer(WebSocketProxy proxy, JettyProxyServer server) {
        this.proxy = proxy;
        this.server = server;
    }

    /**
     * Builds the proxy and starts the server.
     *
     * @throws IllegalStateException when the server cannot start (a port is taken, a certificate is unreadable)
     */
    static StandaloneServer start(ServerConfig config, String source) {
        WebSocketProxy proxy = ProxyProperties.toProxy(config.proxyProperties, source);
        try {
            JettyProxyServer.Builder builder = JettyProxyServer.builder(proxy)
                    .http2(config.http2)
                    .redirectHttpToHttps(config.redirectHttpToHttps)
                    .acceptQueueSize(config.acceptQueueSize);
            if (config.http != null) {
                builder.http(config.http);
            }
            if (config.https != null) {
                builder.https(config.https, config.certificate);
            }
            return new StandaloneServer(proxy, builder.start());
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
    }

    WebSocketProxy proxy() {
        return proxy;
    }

    /** Where clients connect: {@code wss://} when TLS is on, else {@code ws://}. */
    URI uri() {
        return server.uri();
    }

    int httpPort() {
        return server.httpPort();
    }

    int httpsPort() {
        return server.httpsPort();
    }

    void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            proxy.close();
        }
    }
}
