package dev.wsproxy.jetty;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.jetty.internal.JettyClientUpgrader;
import dev.wsproxy.servlet.ClientUpgrader;
import dev.wsproxy.jetty.internal.RequestHeadDeadline;
import dev.wsproxy.servlet.WebSocketProxyFilter;

import jakarta.servlet.DispatcherType;
import jakarta.websocket.server.ServerContainer;
import java.util.EnumSet;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketContainer;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.websocket.core.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mounts a {@link WebSocketProxy} into an embedded Jetty 12 (ee10) {@link ServletContextHandler} in one call:
 *
 * <pre>{@code
 * ServletContextHandler context = new ServletContextHandler("/");
 * JettyWebSocketProxy.mount(context, proxy);
 * }</pre>
 *
 * <p>Installs Jetty's Jakarta WebSocket container in the context (if not yet installed) and adds the
 * {@link WebSocketProxyFilter} for every path, after the filters already added; requests that are not proxied
 * WebSocket handshakes reach the context's other filters and servlets unchanged. Call before the context starts
 * and after adding the application's security filters: a handshake the proxy upgrades never reaches the
 * filters behind it. The proxy and the
 * context stay owned by the caller. Stateless; thread-safe.
 *
 * <p>HTTP/1.1 handshakes are relayed in tunnel mode: the proxy takes Jetty's connection endpoint itself once the
 * 101 is written (no Jakarta session, no container thread held while the upstream connects). The Jakarta
 * container serves message mode (WebSocket over HTTP/2, routes in {@code RelayMode.MESSAGE}); its settings are
 * derived from the proxy's: the session idle timeout is off ({@link #IDLE_TIMEOUT_MILLIS}; the proxy's
 * keepalive decides when a peer is dead) and the message buffer sizes are the largest
 * {@link dev.wsproxy.ProxyRoute#maxFrameSize()} of the proxy's routes. Jetty reads message-mode client frames
 * in 4 KiB pieces (it has no public setting for that buffer), each relayed as one upstream frame. These apply
 * to the whole context, including the application's own WebSocket endpoints in it.
 *
 * <p>When the context starts, every connector of its server gets the proxy's
 * {@linkplain WebSocketProxy#requestHeadTimeout() request-head deadline} (default 10 s): an HTTP/1.1 client that
 * has not sent its whole request head by then gets 408 and is disconnected, so slow clients cannot hold
 * connections open a byte at a time. It covers the whole server, the application's own paths included;
 * {@code requestHeadTimeout(Duration.ZERO)} leaves the connectors alone.
 */
public final class JettyWebSocketProxy {

    private static final Logger LOG = LoggerFactory.getLogger(JettyWebSocketProxy.class);

    /** Session idle timeout given to Jetty: 0, off. */
    public static final long IDLE_TIMEOUT_MILLIS = 0;

    private JettyWebSocketProxy() {
    }

    /**
     * Installs the proxy in {@code context}, which must not have started yet.
     *
     * @return the filter holder, for callers that want to adjust its mapping
     * @throws IllegalStateException if the context (or its server) is already starting or started
     */
    public static FilterHolder mount(ServletContextHandler context, WebSocketProxy proxy) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(proxy, "proxy");
        if (context.isStarting() || context.isStarted()) {
            throw new IllegalStateException("JettyWebSocketProxy.mount(context, proxy) was called after the context"
                    + " started (state " + context.getState() + "): Jetty installs WebSocket support only before"
                    + " start; call mount before server.start()");
        }
        JakartaWebSocketServletContainerInitializer.configure(context,
                (servletContext, container) -> applySettings(container, maxFrameSize(proxy)));
        context.setAttribute(ClientUpgrader.ATTRIBUTE, new JettyClientUpgrader());
        FilterHolder holder = new FilterHolder(new WebSocketProxyFilter(proxy));
        holder.setName("ws-proxy");
        holder.setAsyncSupported(true);
        context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
        if (!proxy.requestHeadTimeout().isZero()) {
            context.addEventListener(new LifeCycle.Listener() {
                @Override
                public void lifeCycleStarting(LifeCycle event) {
                    Server server = context.getServer();
                    if (server != null) {
                        for (Connector connector : server.getConnectors()) {
                            RequestHeadDeadline.install(connector, proxy.requestHeadTimeout());
                        }
                    }
                }
            });
        }
        return holder;
    }

    /** The largest frame any of the proxy's routes accepts: what Jetty is told to accept from clients. */
    public static int maxFrameSize(WebSocketProxy proxy) {
        return proxy.routes().stream().mapToInt(ProxyRoute::maxFrameSize).max()
                .orElse(ProxyRoute.DEFAULT_MAX_FRAME_SIZE);
    }

    static void applySettings(ServerContainer container, int maxFrameSize) {
        container.setDefaultMaxSessionIdleTimeout(IDLE_TIMEOUT_MILLIS);
        container.setDefaultMaxTextMessageBufferSize(maxFrameSize);
        container.setDefaultMaxBinaryMessageBufferSize(maxFrameSize);
    }
}
