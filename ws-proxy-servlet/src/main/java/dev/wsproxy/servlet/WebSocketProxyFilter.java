package dev.wsproxy.servlet;

import dev.wsproxy.HandshakeRequest;
import dev.wsproxy.HandshakeResult;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.internal.TomcatTunnelHandler;
import dev.wsproxy.servlet.internal.TomcatUpgrade;
import dev.wsproxy.servlet.internal.TunnelUpgradeHandler;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.websocket.server.ServerContainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A servlet {@link Filter} that proxies WebSocket handshakes on the {@link WebSocketProxy}'s routes and
 * passes every other request down the chain, in any Jakarta EE 10+ container (WebSocket 2.1's
 * {@code ServerContainer.upgradeHttpToWebSocket}).
 *
 * <pre>{@code
 * servletContext.addFilter("ws-proxy", new WebSocketProxyFilter(proxy))
 *     .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
 * }</pre>
 *
 * <p>Register it <em>after</em> the application's security filters (isMatchAfter {@code true}; in Spring Boot an
 * order after {@code SecurityProperties.DEFAULT_FILTER_ORDER}): a handshake it upgrades never reaches the filters
 * behind it, so a proxy ordered first lets WebSocket connections skip authentication. The user the security
 * filters established ({@code getRemoteUser()}) is {@link HandshakeRequest#user()}, which a route's
 * {@code userHeader} forwards; {@code getUserPrincipal()} and a snapshot of the session's attributes (when a
 * session exists; the filter never creates one) are {@link HandshakeRequest#principal()} and
 * {@link HandshakeRequest#sessionAttributes()}, for a {@code HandshakeAuthorizer}.
 *
 * <p>The container's WebSocket support must be installed in the context (Jetty:
 * {@code JakartaWebSocketServletContainerInitializer.configure}; Tomcat: {@code WsSci}). Refusals are
 * answered with their status and a one-line {@code text/plain} reason; an unreachable upstream gets 502
 * before any upgrade. The filter never answers 500: a context without WebSocket support gets 503, a
 * container that fails to upgrade after the upstream accepted gets 502.
 *
 * <p>Containers refuse some URIs before any filter runs: Jetty 12's default {@code UriCompliance} answers
 * encoded slashes ({@code %2F}), encoded dots and empty segments with its own 400. To proxy such paths,
 * allow those violations on the connector and set {@code ServletHandler.setDecodeAmbiguousURIs(true)}
 * (as {@code JettyProxyServer} does); the proxy itself still refuses any {@code ..} segment.
 *
 * <p>Thread-safe; the proxy is not owned: {@link #destroy()} does not close it.
 */
public final class WebSocketProxyFilter implements Filter {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketProxyFilter.class);

    private final WebSocketProxy proxy;

    public WebSocketProxyFilter(WebSocketProxy proxy) {
        this.proxy = Objects.requireNonNull(proxy, "proxy");
    }

    /**
     * Fails the deployment when the context has no WebSocket container, instead of answering every proxied
     * handshake with 503 later: the message names the one-line mounts that install it.
     */
    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        ServletContext context = filterConfig.getServletContext();
        if (!(context.getAttribute(ServerContainer.class.getName()) instanceof ServerContainer)) {
            throw new ServletException("WebSocketProxyFilter '" + filterConfig.getFilterName() + "' is registered"
                    + " in servlet context '" + context.getContextPath() + "', which has no WebSocket container"
                    + " (no " + ServerContainer.class.getName() + " attribute): on embedded Jetty mount the proxy"
                    + " with JettyWebSocketProxy.mount(context, proxy), elsewhere register it with"
                    + " WebSocketProxyRegistration.register(servletContext, proxy); both install the container");
        }
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
            chain.doFilter(req, res);
            return;
        }
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        CompletableFuture<HandshakeResult> pending;
        try {
            pending = proxy.handshakeAsync(toHandshakeRequest(request)).toCompletableFuture();
        } catch (RuntimeException e) {
            // handshakeAsync() does not throw; this guards against a container handing us something odd.
            LOG.warn("[-] could not read request {} from {}", request.getRequestURI(), request.getRemoteAddr(), e);
            refuse(response, 400, "the proxy could not read this request (" + e.getClass().getSimpleName() + ")",
                    Map.of());
            return;
        }
        Object upgrader = request.getServletContext().getAttribute(ClientUpgrader.ATTRIBUTE);
        if (!pending.isDone() && upgrader instanceof ClientUpgrader && request.isAsyncSupported()) {
            // The upstream is still connecting: free this container thread until it answers (Jetty only:
            // its upgrade needs no second dispatch, so no filter mapping for ASYNC is required).
            AsyncContext async = request.startAsync();
            async.setTimeout(0);
            pending.whenComplete((result, failure) -> finishAsync(async, request, response, result));
            return;
        }
        HandshakeResult result = pending.join();
        switch (result.action()) {
            case PASS:
                chain.doFilter(req, res);
                return;
            case REJECT:
                refuse(response, result.status(), result.reason(), result.responseHeaders());
                return;
            default:
                upgrade(request, response, result);
        }
    }

    /** Completes a handshake whose upstream answered after the filter returned (only upgrades and refusals). */
    private void finishAsync(AsyncContext async, HttpServletRequest request, HttpServletResponse response,
                             HandshakeResult result) {
        try {
            if (result.action() == HandshakeResult.Action.UPGRADE) {
                upgrade(request, response, result);
            } else {
                refuse(response, result.status(), result.reason(), result.responseHeaders());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("[{}] could not answer the client: {}", result.connectionId(), e.toString());
            result.upgradeFailed(e);
        } finally {
            async.complete();
        }
    }

    private void upgrade(HttpServletRequest request, HttpServletResponse response, HandshakeResult result)
            throws IOException {
        if (result.isTunnel()) {
            tunnel(request, response, result);
            return;
        }
        ServletContext context = request.getServletContext();
        Object container = context.getAttribute(ServerContainer.class.getName());
        if (!(container instanceof ServerContainer)) {
            String reason = "this servlet context has no WebSocket container (install it: Jetty"
                    + " JakartaWebSocketServletContainerInitializer.configure, Tomcat WsSci)";
            LOG.error("[{}] {}", result.connectionId(), reason);
            result.upgradeFailed(new IllegalStateException(reason));
            refuse(response, 503, reason, Map.of());
            return;
        }
        try {
            ((ServerContainer) container).upgradeHttpToWebSocket(request, response, result.endpointConfig(),
                    Collections.emptyMap());
        } catch (Exception e) {
            LOG.warn("[{}] client upgrade failed: {}", result.connectionId(), e.toString());
            result.upgradeFailed(e);
            if (!response.isCommitted()) {
                refuse(response, 502, "the container could not upgrade this connection after the upstream"
                        + " accepted it (" + e.getClass().getSimpleName() + ")", Map.of());
            }
        }
    }

    /**
     * Tunnel mode: answers 101 with the upstream's handshake answer and hands the connection to the tunnel,
     * through the container's own upgrader when one is installed, else {@code HttpServletRequest.upgrade}.
     */
    private void tunnel(HttpServletRequest request, HttpServletResponse response, HandshakeResult result)
            throws IOException {
        try {
            Object upgrader = request.getServletContext().getAttribute(ClientUpgrader.ATTRIBUTE);
            if (upgrader instanceof ClientUpgrader
                    && ((ClientUpgrader) upgrader).upgrade(request, response, result)) {
                return;
            }
            response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
            result.upgradeHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
            String remote = request.getRemoteAddr() + ":" + request.getRemotePort();
            if (TomcatUpgrade.applies(request.getServletContext().getServerInfo()) && !tls(request)) {
                // Tomcat: its internal upgrade hands over the socket itself (no servlet streams, no dispatch per read)
                request.upgrade(TomcatTunnelHandler.class).attach(result, remote);
                return;
            }
            request.upgrade(TunnelUpgradeHandler.class).attach(result, remote);
        } catch (Exception e) {
            LOG.warn("[{}] client upgrade failed: {}", result.connectionId(), e.toString());
            result.upgradeFailed(e);
            if (!response.isCommitted()) {
                refuse(response, 502, "the container could not upgrade this connection after the upstream"
                        + " accepted it (" + e.getClass().getSimpleName() + ")", Map.of());
            }
        }
    }

    /**
     * Whether the client's connection is TLS: secure, or with a cipher suite (a valve that trusts a forwarding
     * header can mark a TLS connection not secure; the cipher suite is the connection's own).
     */
    private static boolean tls(HttpServletRequest request) {
        return request.isSecure() || request.getAttribute("jakarta.servlet.request.cipher_suite") != null;
    }

    /** Writes a refusal: status, headers, one line of plain text. */
    static void refuse(HttpServletResponse response, int status, String reason, Map<String, String> headers)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.reset();
        response.setStatus(status);
        headers.forEach(response::setHeader);
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        response.setContentType("text/plain;charset=utf-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    /**
     * Whether this container can hand the connection to a tunnel: Jetty 12.0 implements neither
     * {@code HttpServletRequest.upgrade} nor (without {@code JettyWebSocketProxy.mount}) an upgrader of ours, so
     * there the proxy relays in message mode.
     */
    private static boolean canTunnel(HttpServletRequest request) {
        if (request.getServletContext().getAttribute(ClientUpgrader.ATTRIBUTE) instanceof ClientUpgrader) {
            return true;
        }
        String server = String.valueOf(request.getServletContext().getServerInfo()).toLowerCase(java.util.Locale.ROOT);
        return !server.startsWith("jetty/12.0");
    }

    /** Converts a servlet request into the proxy's container-neutral handshake request. */
    public static HandshakeRequest toHandshakeRequest(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String contextPath = request.getContextPath() == null ? "" : request.getContextPath();
        String path = uri.startsWith(contextPath) ? uri.substring(contextPath.length()) : uri;
        if (path.isEmpty()) {
            path = "/";
        }
        HandshakeRequest.Builder b = HandshakeRequest.builder()
                .method(request.getMethod())
                .protocol(request.getProtocol())
                .scheme(request.getScheme())
                .host(request.getServerName())
                .port(request.getServerPort())
                .contextPath(contextPath)
                .path(path)
                .query(request.getQueryString())
                .remoteAddress(request.getRemoteAddr())
                .remotePort(request.getRemotePort())
                .tunnelCapable(canTunnel(request))
                // set by the container's or the application's security (Spring Security wraps the request)
                .user(request.getRemoteUser())
                .principal(request.getUserPrincipal());
        for (String name : Collections.list(request.getHeaderNames())) {
            for (String value : Collections.list(request.getHeaders(name))) {
                b.addHeader(name, value);
            }
        }
        // for a HandshakeAuthorizer; only handshakes pay for the copy, and no session is ever created here
        HttpSession session = request.getHeader("Upgrade") == null ? null : request.getSession(false);
        if (session != null) {
            try {
                for (String name : Collections.list(session.getAttributeNames())) {
                    b.sessionAttribute(name, session.getAttribute(name));
                }
            } catch (IllegalStateException invalidated) {
                // the session was invalidated meanwhile: the handshake has no session
            }
        }
        return b.build();
    }
}
