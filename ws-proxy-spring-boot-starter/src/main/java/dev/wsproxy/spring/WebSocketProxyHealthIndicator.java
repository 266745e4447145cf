package dev.wsproxy.spring;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Actuator health of the proxy's upstreams: for each route, a TCP connect to its upstream's host and port
 * (80/443 when the URI has none), within the route's connect timeout capped at {@link #MAX_CONNECT_WAIT}.
 * UP when every upstream accepts; DOWN, with each unreachable upstream and why, otherwise. Details: one entry
 * per route ({@code prefix /ws/chat/ -> ws://chat:8080/}: {@code reachable} or the error) and the active
 * connection count. No WebSocket handshake is made, so backends see no request. Thread-safe.
 */
public class WebSocketProxyHealthIndicator extends AbstractHealthIndicator {

    /** The longest one probe waits for a TCP connect. */
    public static final Duration MAX_CONNECT_WAIT = Duration.ofSeconds(2);

    private final WebSocketProxy proxy;

    public WebSocketProxyHealthIndicator(WebSocketProxy proxy) {
        super("ws-proxy upstream health check failed");
        this.proxy = Objects.requireNonNull(proxy, "proxy");
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Map<String, String> routes = new LinkedHashMap<>();
        boolean allReachable = true;
        for (ProxyRoute route : proxy.routes()) {
            String problem = probe(route);
            allReachable &= problem == null;
            routes.put(route.match().name().toLowerCase(java.util.Locale.ROOT) + " " + route.path() + " -> "
                    + route.upstream(), problem == null ? "reachable" : problem);
        }
        (allReachable ? builder.up() : builder.down())
                .withDetail("routes", routes)
                .withDetail("activeConnections", proxy.activeConnections());
    }

    private static String probe(ProxyRoute route) {
        URI upstream = route.upstream();
        int port = upstream.getPort() != -1 ? upstream.getPort() : "wss".equals(upstream.getScheme()) ? 443 : 80;
        long waitMillis = Math.min(route.connectTimeout().toMillis(), MAX_CONNECT_WAIT.toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(upstream.getHost(), port), (int) Math.max(1, waitMillis));
            return null;
        } catch (IOException e) {
            return "unreachable: " + upstream.getHost() + ":" + port + " (" + e + ")";
        }
    }
}
