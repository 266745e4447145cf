package dev.wsproxy.jetty;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.jetty.internal.JettyContainerDefaults;
import dev.wsproxy.servlet.WebSocketProxyFilter;
import jakarta.servlet.DispatcherType;
import jakarta.websocket.server.ServerContainer;
import java.util.EnumSet;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketContainer;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
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
 * {@link WebSocketProxyFilter} for every path; requests that are not proxied WebSocket handshakes reach
 * the context's own filters and servlets unchanged. Call before the context starts. The proxy and the
 * context stay owned by the caller. Stateless; thread-safe.
 *
 * <p>Container settings are derived from the proxy's, because Jetty's defaults would otherwise cut or chop
 * relayed connections: the session idle timeout is off ({@link #IDLE_TIMEOUT_MILLIS}; the proxy's keepalive
 * decides when a peer is dead); the message buffer sizes are the largest
 * {@link dev.wsproxy.ProxyRoute#maxFrameSize()} of the proxy's routes; the input buffer is
 * {@link #INPUT_BUFFER_SIZE} so each container read, which becomes one upstream frame, is not cut at 4 KiB.
 * Client frames of any size are streamed in input-buffer pieces (never buffered whole), so only the routes'
 * message limit applies to them. These apply to the whole context, including the application's own WebSocket endpoints in it.
 */
public final class JettyWebSocketProxy {

    private static final Logger LOG = LoggerFactory.getLogger(JettyWebSocketProxy.class);

    /** Session idle timeout given to Jetty: 0, off. */
    public static final long IDLE_TIMEOUT_MILLIS = 0;
    /** Bytes Jetty reads per network read (Jetty's default: 4 KiB). */
    public static final int INPUT_BUFFER_SIZE = 64 * 1024;

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
        FilterHolder holder = new FilterHolder(new WebSocketProxyFilter(proxy));
        holder.setName("ws-proxy");
        holder.setAsyncSupported(true);
        context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
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
        Configuration.ConfigurationCustomizer defaults = container instanceof JakartaWebSocketContainer
                ? defaultCustomizer((JakartaWebSocketContainer) container) : null;
        if (defaults != null) {
            defaults.setInputBufferSize(INPUT_BUFFER_SIZE);
            defaults.setMaxFrameSize(maxFrameSize);
        }
    }

    /**
     * Jetty's Jakarta container keeps the core session defaults (input buffer, frame size) in a protected field
     * with no public setter; reach it reflectively and carry on with Jetty's defaults if a Jetty release renames it.
     */
    static Configuration.ConfigurationCustomizer defaultCustomizer(JakartaWebSocketContainer container) {
        Configuration.ConfigurationCustomizer customizer = JettyContainerDefaults.customizer(container);
        if (customizer == null) {
            LOG.warn("cannot raise Jetty's WebSocket input buffer to {} bytes (its defaultCustomizer field is gone);"
                    + " relayed frames stay at Jetty's 4 KiB reads", INPUT_BUFFER_SIZE);
        }
        return customizer;
    }
}
