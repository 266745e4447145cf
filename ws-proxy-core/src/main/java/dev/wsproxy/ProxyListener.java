package dev.wsproxy;

/**
 * Told of every relayed connection's life: the seam for metrics and audit logs. Register with
 * {@link WebSocketProxy.Builder#listener(ProxyListener)}; the default does nothing.
 *
 * <p>For each connection: {@link #onOpen} once, after the client's upgrade, then exactly one terminal
 * event &mdash; {@link #onClosed} (a close handshake by a peer, or the proxy's own policy: idle timeout,
 * message too big, shutdown) or {@link #onFailed} (a lost connection, an unanswered ping, a transport
 * error). Handshakes refused before any connection was made are reported to {@link #onRefused}.
 *
 * <p>Threading: called from container and upstream I/O threads, concurrently for different connections,
 * never concurrently for the same one. Keep implementations fast and non-blocking; an exception thrown
 * by a listener is logged and otherwise ignored.
 */
public interface ProxyListener {

    /** The no-op listener. */
    ProxyListener NONE = new ProxyListener() {
    };

    /** The client was upgraded and both sessions are open. */
    default void onOpen(ProxyConnection connection) {
    }

    /**
     * The connection ended by a close handshake or a proxy policy.
     *
     * @param code the close code sent to the peer that did not start the close
     * @param reason its reason phrase
     * @param byClient whether the client side ended first (false: the upstream or the proxy)
     */
    default void onClosed(ProxyConnection connection, int code, String reason, boolean byClient) {
    }

    /**
     * The connection ended by a failure.
     *
     * @param code the close code sent to the surviving peer
     * @param reason its reason phrase, which names the failure
     * @param cause the underlying exception, or {@code null} (e.g. a ping that was not answered)
     */
    default void onFailed(ProxyConnection connection, int code, String reason, Throwable cause) {
    }

    /**
     * A handshake on a route was refused before or instead of the upgrade.
     *
     * @param status the HTTP status sent
     * @param reason the one-line reason sent
     */
    default void onRefused(HandshakeRequest request, int status, String reason) {
    }
}
