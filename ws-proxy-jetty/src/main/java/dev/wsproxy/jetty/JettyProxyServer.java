package dev.wsproxy.jetty;

import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.jetty.internal.TunnelRequestHandler;
import java.io.PrintWriter;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.SecuredRedirectHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A standalone Jetty 12 server that does nothing but proxy WebSockets: plain {@code ws://}, {@code wss://} with
 * TLS terminated here, and WebSocket over HTTP/2 (RFC 8441) on {@code h2} (TLS, ALPN) and {@code h2c}, all
 * relayed to the routes' HTTP/1.1 upstreams.
 *
 * <pre>{@code
 * try (JettyProxyServer server = JettyProxyServer.builder(proxy)
 *         .http(new InetSocketAddress(8080))
 *         .https(new InetSocketAddress(8443), TlsCertificate.pem(Path.of("fullchain.pem"), Path.of("privkey.pem")))
 *         .redirectHttpToHttps(true)
 *         .start()) {
 *     server.join();
 * }
 * // or, plain ws:// only:
 * JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("0.0.0.0", 8080));
 * }</pre>
 *
 * <p>The WebSocket container is configured by {@link JettyWebSocketProxy#mount}, so Jetty's own defaults (30 s
 * idle timeout, 64 KiB message buffers, 4 KiB input buffer) do not cut or chop relayed connections. Requests that
 * match no route get 404. Unlike Jetty's defaults, paths with encoded slashes ({@code %2F}), encoded dots,
 * {@code ;} parameters and empty segments reach the proxy, which forwards them with their encoding untouched, or
 * refuses any {@code ..} segment with a 400 that says why; requests Jetty itself refuses get a one-line
 * plain-text reason. A client that has not sent its whole request head within the proxy's
 * {@linkplain WebSocketProxy#requestHeadTimeout() request-head timeout} (default 10 s) gets 408 and is
 * disconnected (installed by {@link JettyWebSocketProxy#mount}). {@link #close()} stops the server; the proxy stays owned by the caller (close it after
 * the server). Thread-safe.
 */
public final class JettyProxyServer implements AutoCloseable {

    /**
     * No acceptor threads: the connectors' selectors accept (non-blocking), and a tunnel handshake is read,
     * parsed and started on that same selector thread ({@code TunnelRequestHandler} is non-blocking).
     */
    private static final int ACCEPTORS = 0;

    private final Server server;
    private final ServerConnector httpConnector;
    private final ServerConnector httpsConnector;

    private final WebSocketProxy proxy;

    private JettyProxyServer(WebSocketProxy proxy, Server server, ServerConnector httpConnector,
                             ServerConnector httpsConnector) {
        this.proxy = proxy;
        this.server = server;
        this.httpConnector = httpConnector;
        this.httpsConnector = httpsConnector;
    }

    /**
     * Starts a plain HTTP (and h2c) server bound to {@code address} (port 0 picks a free port; read it back with
     * {@link #port()}). Same as {@code builder(proxy).http(address).start()}.
     *
     * @throws IllegalStateException when the server cannot start, e.g. the port is taken
     */
    /** The default listen backlog of each connector ({@link Builder#acceptQueueSize}). */
    public static final int DEFAULT_ACCEPT_QUEUE_SIZE = 1024;

    public static JettyProxyServer start(WebSocketProxy proxy, InetSocketAddress address) {
        return builder(proxy).http(address).start();
    }

    /** Starts configuring a server for {@code proxy}. */
    public static Builder builder(WebSocketProxy proxy) {
        return new Builder(proxy);
    }

    /** The bound port of the HTTPS connector if there is one, else of the HTTP connector. */
    public int port() {
        return httpsConnector != null ? httpsPort() : httpPort();
    }

    /** The bound port of the plain HTTP connector, or -1 if there is none. */
    public int httpPort() {
        return httpConnector == null ? -1 : httpConnector.getLocalPort();
    }

    /** The bound port of the TLS connector, or -1 if there is none. */
    public int httpsPort() {
        return httpsConnector == null ? -1 : httpsConnector.getLocalPort();
    }

    /** {@code wss://host:port/} when TLS is on, else {@code ws://host:port/}. */
    public URI uri() {
        ServerConnector connector = httpsConnector != null ? httpsConnector : httpConnector;
        String host = connector.getHost() == null || connector.getHost().equals("0.0.0.0")
                ? "127.0.0.1" : connector.getHost();
        return URI.create((httpsConnector != null ? "wss://" : "ws://") + host + ":" + connector.getLocalPort() + "/");
    }

    /** The underlying Jetty server, for inspection. */
    public Server server() {
        return server;
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    /**
     * Graceful stop: {@linkplain WebSocketProxy#drain() drains} the proxy (new handshakes get 503, every
     * relayed connection gets 1001 and up to the proxy's drain timeout to close), then stops the server.
     * The proxy's resources stay with its owner: close it afterwards.
     */
    @Override
    public void close() {
        try {
            proxy.drain();
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the proxy server: " + e.getMessage(), e);
        }
    }

    /** Collects the connectors and options; {@link #start()} validates them. Not thread-safe. */
    public static final class Builder {
        private final WebSocketProxy proxy;
        private InetSocketAddress httpAddress;
        private InetSocketAddress httpsAddress;
        private TlsCertificate certificate;
        private boolean redirectHttpToHttps;
        private Boolean http2;
        private int acceptQueueSize = DEFAULT_ACCEPT_QUEUE_SIZE;

        private Builder(WebSocketProxy proxy) {
            this.proxy = Objects.requireNonNull(proxy, "proxy");
        }

        /** A plain connector: HTTP/1.1 {@code ws://}, and h2c unless {@link #http2(boolean) http2(false)}. */
        public Builder http(InetSocketAddress address) {
            this.httpAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /** A TLS connector presenting {@code certificate}: {@code wss://} over HTTP/1.1, and h2 via ALPN. */
        public Builder https(InetSocketAddress address, TlsCertificate certificate) {
            this.httpsAddress = Objects.requireNonNull(address, "address");
            this.certificate = Objects.requireNonNull(certificate, "certificate");
            return this;
        }

        /** Answer every request on the plain connector with a redirect to the TLS one. Default off. */
        public Builder redirectHttpToHttps(boolean redirect) {
            this.redirectHttpToHttps = redirect;
            return this;
        }

        /**
         * Offer HTTP/2 (h2 on TLS, h2c on plain) with RFC 8441 WebSockets. Default: on when
         * {@code org.eclipse.jetty.http2:jetty-http2-server} and {@code org.eclipse.jetty:jetty-alpn-java-server}
         * (optional dependencies of ws-proxy-jetty) are on the classpath, off otherwise.
         */
        public Builder http2(boolean enabled) {
            this.http2 = enabled;
            return this;
        }

        /**
         * The listen backlog of each connector: connections the kernel completes while the server has not
         * accepted them yet. Default {@value JettyProxyServer#DEFAULT_ACCEPT_QUEUE_SIZE} (the JDK's own default
         * is 50: a burst of reconnecting clients overflows it, and each overflowed client retries its SYN only
         * after a second). Linux caps it at {@code net.core.somaxconn}.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder acceptQueueSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("acceptQueueSize must be positive but was " + size
                        + " (the default is " + DEFAULT_ACCEPT_QUEUE_SIZE + ")");
            }
            this.acceptQueueSize = size;
            return this;
        }

        /**
         * Starts the server.
         *
         * @throws IllegalArgumentException when no connector is configured, a redirect has no TLS connector, or
         *     the certificate files cannot be read
         * @throws IllegalStateException when the server cannot start, e.g. a port is taken
         */
        public JettyProxyServer start() {
            if (httpAddress == null && httpsAddress == null) {
                throw new IllegalArgumentException("no connector configured (call .http(address) and/or"
                        + " .https(address, certificate))");
            }
            if (redirectHttpToHttps && (httpAddress == null || httpsAddress == null)) {
                throw new IllegalArgumentException("redirectHttpToHttps needs both .http(...) and .https(...)");
            }
            boolean http2 = Boolean.TRUE.equals(this.http2) || (this.http2 == null && Http2Connectors.available());
            if (http2 && !Http2Connectors.available()) {
                throw new IllegalStateException("http2(true) needs org.eclipse.jetty.http2:jetty-http2-server and"
                        + " org.eclipse.jetty:jetty-alpn-java-server on the classpath (add both, or call http2(false))");
            }
            Server server = new Server();
            HttpConfiguration httpConfig = new HttpConfiguration();
            // Let the proxy see these paths itself: it keeps %2F as is and refuses '..' with a reason.
            httpConfig.setUriCompliance(UriCompliance.DEFAULT.with("ws-proxy",
                    UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR, UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT,
                    UriCompliance.Violation.AMBIGUOUS_PATH_PARAMETER, UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT,
                    UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
            httpConfig.setSendServerVersion(false);
            ServerConnector plain = null;
            ServerConnector tls = null;
            if (httpAddress != null) {
                plain = http2
                        ? new ServerConnector(server, ACCEPTORS, -1, new HttpConnectionFactory(httpConfig),
                                Http2Connectors.h2c(httpConfig))
                        : new ServerConnector(server, ACCEPTORS, -1, new HttpConnectionFactory(httpConfig));
                bind(plain, httpAddress, acceptQueueSize);
                server.addConnector(plain);
            }
            if (httpsAddress != null) {
                tls = tlsConnector(server, httpConfig, http2);
                bind(tls, httpsAddress, acceptQueueSize);
                server.addConnector(tls);
            }
            server.setErrorHandler(new PlainTextErrors());
            ServletContextHandler context = new ServletContextHandler("/");
            context.getServletHandler().setDecodeAmbiguousURIs(true);
            JettyWebSocketProxy.mount(context, proxy);
            // tunnel handshakes are answered before the servlet context (no filter chain, no async context)
            Handler handler = new TunnelRequestHandler(proxy, context);
            if (redirectHttpToHttps) {
                httpConfig.setSecureScheme("https");
                handler = new SecuredRedirectHandler(handler);
            }
            server.setHandler(handler);
            try {
                server.start();
            } catch (Exception e) {
                try {
                    server.stop();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw new IllegalStateException("could not start the proxy server on " + describe() + " ("
                        + e.getMessage() + "); make sure no other process uses the port(s) and the certificate"
                        + " is readable", e);
            }
            if (tls != null) {
                // known only after binding when the configured port is 0; read per request by the redirect
                httpConfig.setSecurePort(tls.getLocalPort());
            }
            return new JettyProxyServer(proxy, server, plain, tls);
        }

        private ServerConnector tlsConnector(Server server, HttpConfiguration httpConfig, boolean http2) {
            HttpConfiguration httpsConfig = new HttpConfiguration(httpConfig);
            httpsConfig.addCustomizer(new SecureRequestCustomizer());
            SslContextFactory.Server ssl = certificate.toSslContextFactory();
            HttpConnectionFactory http11 = new HttpConnectionFactory(httpsConfig);
            if (!http2) {
                return new ServerConnector(server, ACCEPTORS, -1, new SslConnectionFactory(ssl, http11.getProtocol()),
                        http11);
            }
            return new ServerConnector(server, ACCEPTORS, -1, Http2Connectors.tls(ssl, httpsConfig, http11));
        }

        private static void bind(ServerConnector connector, InetSocketAddress address, int acceptQueueSize) {
            connector.setAcceptQueueSize(acceptQueueSize);
            connector.setHost(address.getHostString());
            connector.setPort(address.getPort());
        }

        private String describe() {
            return (httpAddress == null ? "" : "http " + httpAddress.getHostString() + ":" + httpAddress.getPort())
                    + (httpAddress != null && httpsAddress != null ? ", " : "")
                    + (httpsAddress == null ? "" : "https " + httpsAddress.getHostString() + ":"
                            + httpsAddress.getPort() + " with " + certificate);
        }
    }

    /** Jetty's own refusals as one line of text, with the fix for the one WebSocket clients hit. */
    static final class PlainTextErrors extends ErrorHandler {
        private static final Logger LOG = LoggerFactory.getLogger(JettyProxyServer.class);

        PlainTextErrors() {
            setDefaultResponseMimeType("text/plain");
        }

        @Override
        protected void writeErrorPlain(Request request, PrintWriter writer, int code, String message,
                                       Throwable cause) {
            if ("Invalid h2c upgrade headers".equals(message)) {
                // Jetty's HTTP/1.1 parser refuses an Upgrade header without "Connection: Upgrade" itself.
                LOG.warn("[-] refused {} from {}: 400 'Upgrade' sent without 'Connection: Upgrade'",
                        request.getHttpURI().getPath(), Request.getRemoteAddr(request));
                writer.write("Expected 'Connection' header to contain 'Upgrade' since 'Upgrade' was sent (a proxy"
                        + " in front of this app is dropping it; nginx: proxy_set_header Connection \"upgrade\")\n");
            } else {
                writer.write(code + " " + (message == null ? "" : message) + "\n");
            }
        }
    }
}
