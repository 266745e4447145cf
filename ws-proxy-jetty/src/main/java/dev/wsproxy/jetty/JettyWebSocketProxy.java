package dev.wsproxy.jetty;

import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.WebSocketProxyFilter;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;

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
 */
public final class JettyWebSocketProxy {

    private JettyWebSocketProxy() {
    }

    /**
     * Installs the proxy in {@code context}.
     *
     * @return the filter holder, for callers that want to adjust its mapping
     */
    public static FilterHolder mount(ServletContextHandler context, WebSocketProxy proxy) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(proxy, "proxy");
        JakartaWebSocketServletContainerInitializer.configure(context, null);
        FilterHolder holder = new FilterHolder(new WebSocketProxyFilter(proxy));
        holder.setName("ws-proxy");
        holder.setAsyncSupported(true);
        context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
        return holder;
    }
}
