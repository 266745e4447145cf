package dev.wsproxy.examples;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.jetty.JettyWebSocketProxy;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.DefaultServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The whole demo as one object: an {@link EchoBackend} on a free port and, in front of it, a Jetty 12 web
 * application on {@code 127.0.0.1:<port>} that serves a static page at {@code /} and proxies WebSocket
 * upgrades on {@code /ws/} to the backend with {@link JettyWebSocketProxy#mount}.
 *
 * <p>The route is {@code prefix("/ws/")} to {@code ws://127.0.0.1:<backend>/}, so {@code /ws/echo} reaches the
 * backend's {@code /echo} and {@code /ws/chat?room=r} its {@code /chat?room=r}; {@code /ws/down/} goes to a
 * port nobody listens on, so its handshakes get 502. Plain HTTP requests on
 * {@code /ws/} get 426 ({@code rejectNonUpgrade}), everything else is the web application's.
 *
 * <p>Lifecycle: {@link #start(int)} starts the backend, then the proxy server; {@link #close()} closes the
 * proxy, stops the server, then stops the backend. {@code close()} is idempotent and thread-safe.
 */
public final class Demo implements AutoCloseable {

    /** The path prefix ws-proxy serves; everything under it goes to the backend. */
    public static final String ROUTE_PREFIX = "/ws/";

    /** A route to a port where nothing listens, to show the 502 a down upstream gets. */
    public static final String DOWN_PREFIX = "/ws/down/";

    /** Classpath folder with the demo's web page. */
    static final String WEB_ROOT = "/demo-web/";

    private final EchoBackend backend;
    private final WebSocketProxy proxy;
    private final Server server;
    private final ServerConnector connector;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Demo(EchoBackend backend, WebSocketProxy proxy, Server server, ServerConnector connector) {
        this.backend = backend;
        this.proxy = proxy;
        this.server = server;
        this.connector = connector;
    }

    /**
     * Starts the backend on a free port and the proxy server on {@code 127.0.0.1:port}.
     *
     * @param port the proxy's port; 0 picks a free one (read it back with {@link #port()})
     * @throws BindException when {@code port} is taken; nothing is left running then
     */
    public static Demo start(int port) throws Exception {
        EchoBackend backend = EchoBackend.start(0);
        WebSocketProxy proxy = null;
        Server server = null;
        try {
            proxy = WebSocketProxy.builder()
                    .route(ProxyRoute.prefix(ROUTE_PREFIX).upstream(backend.uri()).rejectNonUpgrade(true).build())
                    .detailedErrors(true) // a development demo: show the full reason of upstream failures
                    .route(ProxyRoute.prefix(DOWN_PREFIX).upstream("ws://127.0.0.1:" + closedPort() + "/")
                            .rejectNonUpgrade(true).build())
                    .build();
            QueuedThreadPool threads = new QueuedThreadPool();
            threads.setName("demo-proxy");
            server = new Server(threads);
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.setPort(port);
            server.addConnector(connector);
            server.setHandler(webApplication(proxy));
            server.start();
            return new Demo(backend, proxy, server, connector);
        } catch (Exception e) {
            stopQuietly(server, e);
            if (proxy != null) {
                proxy.close();
            }
            backend.close();
            throw bindFailure(e, port);
        }
    }

    /** A port nothing listens on: bound for a moment by the OS's choice, then released. */
    static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** The page at {@code /} from the classpath, and ws-proxy on {@code /ws/}: one servlet context. */
    private static ServletContextHandler webApplication(WebSocketProxy proxy) {
        ServletContextHandler context = new ServletContextHandler("/");
        URL webRoot = Demo.class.getResource(WEB_ROOT);
        if (webRoot == null) {
            throw new IllegalStateException("classpath folder " + WEB_ROOT + " is missing (rebuild ws-proxy-examples)");
        }
        context.setBaseResource(ResourceFactory.of(context).newResource(webRoot));
        context.setWelcomeFiles(new String[] {"index.html"});
        ServletHolder files = new ServletHolder("static", DefaultServlet.class);
        files.setInitParameter("dirAllowed", "false");
        context.addServlet(files, "/");
        JettyWebSocketProxy.mount(context, proxy);
        return context;
    }

    /** Jetty wraps the {@link BindException}; callers want to recognise it. */
    private static Exception bindFailure(Exception e, int port) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                BindException bind = new BindException("port " + port + " on 127.0.0.1 is already in use");
                bind.initCause(e);
                return bind;
            }
        }
        return e;
    }

    private static void stopQuietly(Server server, Exception failure) {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    /** The proxy's bound port. */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>/}, the demo page. */
    public String pageUri() {
        return "http://127.0.0.1:" + port() + "/";
    }

    /** {@code ws://127.0.0.1:<port>} followed by {@code path}, e.g. {@code proxyUri("/ws/echo")}. */
    public String proxyUri(String path) {
        return "ws://127.0.0.1:" + port() + path;
    }

    /** The backend the proxy forwards to. */
    public EchoBackend backend() {
        return backend;
    }

    /** The proxy, e.g. for {@link WebSocketProxy#activeConnections()}. */
    public WebSocketProxy proxy() {
        return proxy;
    }

    /** Blocks until the proxy server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    /**
     * Closes the proxy, stops the proxy server, stops the backend; in that order, once. The proxy goes first
     * because it sends every connected client a close frame (1001 "proxy shutting down"); stopping Jetty
     * first would drop their TCP connections without one (the client sees 1006). Handshakes arriving in
     * between get 503.
     */
    @Override
    public void close() throws Exception {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        proxy.close();
        Exception failure = null;
        try {
            server.stop();
        } catch (Exception e) {
            failure = e;
        }
        try {
            backend.close();
        } catch (Exception e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
