package dev.wsproxy;

import dev.wsproxy.internal.Relay;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Map;

/**
 * What an adapter must do with a request after {@link WebSocketProxy#handshake(HandshakeRequest)}:
 * <ul>
 *   <li>{@link Action#PASS}: not ours (no route, or a plain HTTP request on a route that lets those
 *       through) &mdash; continue the application's own chain;</li>
 *   <li>{@link Action#REJECT}: answer {@link #status()} with the {@link #responseHeaders()} and the one-line
 *       {@link #reason()} as a {@code text/plain} body;</li>
 *   <li>{@link Action#UPGRADE}: the upstream is connected; upgrade the client with
 *       {@code ServerContainer.upgradeHttpToWebSocket(request, response, endpointConfig(), Map.of())}, and
 *       if that throws call {@link #upgradeFailed(Throwable)} so the upstream is released.</li>
 * </ul>
 *
 * <p>Immutable apart from the relay it carries; used by one request thread.
 */
public final class HandshakeResult {

    /** The adapter's next step. */
    public enum Action { PASS, REJECT, UPGRADE }

    private static final HandshakeResult PASS = new HandshakeResult(Action.PASS, 0, "", Map.of(), null, null);

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
        return relay == null ? null : relay.id();
    }

    /** Tells the proxy the client upgrade failed, so the already-open upstream session is closed. */
    public void upgradeFailed(Throwable cause) {
        if (relay != null) {
            relay.clientUpgradeFailed(cause);
        }
    }

    @Override
    public String toString() {
        return action == Action.REJECT ? "REJECT " + status + " " + reason : action.name();
    }
}
