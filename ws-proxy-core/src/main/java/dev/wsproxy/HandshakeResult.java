package dev.wsproxy;

import dev.wsproxy.internal.Relay;
import dev.wsproxy.internal.tunnel.Tunnel;
import dev.wsproxy.TunnelEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * What an adapter must do with a request after {@link WebSocketProxy#handshake(HandshakeRequest)}:
 * <ul>
 *   <li>{@link Action#PASS}: not ours (no route, or a plain HTTP request on a route that lets those
 *       through) &mdash; continue the application's own chain;</li>
 *   <li>{@link Action#REJECT}: answer {@link #status()} with the {@link #responseHeaders()} and the one-line
 *       {@link #reason()} as a {@code text/plain} body;</li>
 *   <li>{@link Action#UPGRADE}: the upstream is connected. In tunnel mode ({@link #isTunnel()}) answer
 *       101 with {@link #upgradeHeaders()}, take over the connection (servlet {@code HttpServletRequest.upgrade},
 *       or Jetty's endpoint) and call {@link #clientUpgraded}; in message mode upgrade the client with
 *       {@code ServerContainer.upgradeHttpToWebSocket(request, response, endpointConfig(), Map.of())}. If the
 *       upgrade fails call {@link #upgradeFailed(Throwable)} so the upstream is released.</li>
 * </ul>
 *
 * <p>Immutable apart from the relay it carries; used by one request thread.
 */
public final class HandshakeResult {

    /** The adapter's next step. */
    public enum Action { PASS, REJECT, UPGRADE }

    private static final HandshakeResult PASS = new HandshakeResult(Action.PASS, 0, "", Map.of(), null, null);

    private Tunnel tunnel;
    /** For the metrics and the access log: a refusal's full reason, and whether the upstream caused it. */
    String logReason;
    boolean byUpstream;
    private Map<String, List<String>> upgradeHeaders = Map.of();

    private final Action action;
    private final int status;
    private final String reason;
    private final Map<String, String> responseHeaders;
    private final Relay relay;
    private final ServerEndpointConfig endpointConfig;

    private HandshakeResult(Action action, int status, String reason, Map<String, String> responseHeaders,
                            Relay relay, ServerEndpointConfig endpointConfig) {
        this.action = action;
        this.status = status;
        this.reason = reason;
        this.responseHeaders = responseHeaders;
        this.relay = relay;
        this.endpointConfig = endpointConfig;
    }

    static HandshakeResult pass() {
        return PASS;
    }

    static HandshakeResult reject(int status, String reason, Map<String, String> headers) {
        return new HandshakeResult(Action.REJECT, status, reason, Map.copyOf(headers), null, null);
    }

    static HandshakeResult upgrade(Relay relay, ServerEndpointConfig config) {
        return new HandshakeResult(Action.UPGRADE, 101, "", Map.of(), relay, config);
    }

    static HandshakeResult tunnel(Tunnel tunnel, Map<String, List<String>> upgradeHeaders) {
        HandshakeResult result = new HandshakeResult(Action.UPGRADE, 101, "", Map.of(), null, null);
        result.tunnel = tunnel;
        result.upgradeHeaders = upgradeHeaders;
        return result;
    }

    /** Whether the upgrade is relayed in tunnel mode (answer 101 yourself, then {@link #clientUpgraded}). */
    public boolean isTunnel() {
        return tunnel != null;
    }

    /**
     * Tunnel mode: the headers of the client's 101 ({@code Upgrade}, {@code Connection},
     * {@code Sec-WebSocket-Accept}, and the upstream's {@code Sec-WebSocket-Protocol},
     * {@code Sec-WebSocket-Extensions} and {@code Set-Cookie}s), in order.
     */
    public Map<String, List<String>> upgradeHeaders() {
        return upgradeHeaders;
    }

    /**
     * Tunnel mode: the client's 101 was sent and its connection is now {@code endpoint}; relaying starts.
     *
     * @param earlyBytes bytes the client sent after its handshake that the container already read, or null
     */
    public void clientUpgraded(TunnelEndpoint endpoint, ByteBuffer earlyBytes) {
        if (tunnel == null) {
            throw new IllegalStateException("not a tunnel-mode upgrade");
        }
        tunnel.clientAttached(endpoint, earlyBytes);
    }

    public Action action() {
        return action;
    }

    /** The HTTP status for {@link Action#REJECT} (101 for an upgrade, 0 for pass). */
    public int status() {
        return status;
    }

    /** One line saying why the request was refused and, where known, what to change. */
    public String reason() {
        return reason;
    }

    /** Extra headers for a refusal, such as {@code Retry-After} or {@code Sec-WebSocket-Version}. */
    public Map<String, String> responseHeaders() {
        return responseHeaders;
    }

    /** The endpoint configuration to upgrade the client with; only for {@link Action#UPGRADE}. */
    public ServerEndpointConfig endpointConfig() {
        if (endpointConfig == null) {
            throw new IllegalStateException("no endpoint config for action " + action);
        }
        return endpointConfig;
    }

    /** The connection id used in log lines, or {@code null} when no connection was made. */
    public String connectionId() {
        return tunnel != null ? tunnel.id() : relay == null ? null : relay.id();
    }

    /** The upgraded connection, or null. */
    ProxyConnection connection() {
        return tunnel != null ? tunnel : relay;
    }

    /** Tells the proxy the client upgrade failed, so the already-open upstream session is closed. */
    public void upgradeFailed(Throwable cause) {
        if (relay != null) {
            relay.clientUpgradeFailed(cause);
        }
        if (tunnel != null) {
            tunnel.clientUpgradeFailed(cause);
        }
    }

    @Override
    public String toString() {
        return action == Action.REJECT ? "REJECT " + status + " " + reason : action.name();
    }
}
