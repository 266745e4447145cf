package dev.wsproxy.jetty;

import dev.wsproxy.WebSocketProxy;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone Jetty 12 server that does nothing but proxy WebSockets; started in one call:
 *
 * <pre>{@code
 * try (JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("0.0.0.0", 8080))) {
 *     System.out.println("proxying on " + server.uri());
 *     server.join();
 * }
 * }</pre>
 *
 * <p>Requests that match no route get 404 from Jetty. Unlike Jetty's defaults, paths with encoded
 * slashes ({@code %2F}), encoded dots, {@code ;} parameters and empty segments reach the proxy, which
 * forwards them with their encoding untouched, or refuses any {@code ..} segment with a 400 that says why.
 * Requests Jetty itself refuses before the proxy sees them get a one-line plain-text reason too (unless
 * the client asks for HTML). {@link #close()} stops the server; the proxy stays
 * owned by the caller (close it after the server). Thread-safe.
 */
public final class JettyProxyServer implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;

    private JettyProxyServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * Starts a server bound to {@code address} (port 0 picks a free port; read it back with {@link #port()}).
     *
     * @throws IllegalStateException when the server cannot start, e.g. the port is taken
     */
    public static JettyProxyServer start(WebSocketProxy proxy, InetSocketAddress address) {
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(address, "address");
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        // Let the proxy see these paths itself: it keeps %2F as is and refuses '..' with a reason.
        http.setUriCompliance(UriCompliance.DEFAULT.with("ws-proxy",
                UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR, UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT,
                UriCompliance.Violation.AMBIGUOUS_PATH_PARAMETER, UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT,
                UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(address.getHostString());
        connector.setPort(address.getPort());
        server.addConnector(connector);
        server.setErrorHandler(new PlainTextErrors());
        ServletContextHandler context = new ServletContextHandler("/");
        context.getServletHandler().setDecodeAmbiguousURIs(true);
        JettyWebSocketProxy.mount(context, proxy);
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException("could not start the proxy server on " + address.getHostString() + ":"
                    + address.getPort() + " (" + e.getMessage() + "); make sure no other process uses that port", e);
        }
        return new JettyProxyServer(server, connector);
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

    /** The bound port. */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code ws://host:port/} of this server. */
    public URI uri() {
        String host = connector.getHost() == null || connector.getHost().equals("0.0.0.0")
                ? "127.0.0.1" : connector.getHost();
        return URI.create("ws://" + host + ":" + port() + "/");
    }

    /** The underlying Jetty server, for inspection. */
    public Server server() {
        return server;
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    /** Stops the server. Does not close the proxy. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the proxy server: " + e.getMessage(), e);
        }
    }
}
