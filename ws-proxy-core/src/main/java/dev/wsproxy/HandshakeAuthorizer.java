package dev.wsproxy;

/**
 * Decides, before any upstream connection is made, whether a WebSocket handshake may go on: allow it (adding or
 * replacing upstream headers such as {@code X-User-Id}, or choosing the upstream), or refuse it with a status,
 * a reason and response headers (401 with {@code WWW-Authenticate}, 403). Register with
 * {@link WebSocketProxy.Builder#authorizer(HandshakeAuthorizer)}; for decisions that need I/O (token
 * introspection) use {@link AsyncHandshakeAuthorizer} instead.
 *
 * <pre>{@code
 * WebSocketProxy.builder()
 *     .authorizer((request, route) -> request.principal() == null
 *             ? HandshakeDecision.unauthorized("Basic realm=\"chat\"", "log in first")
 *             : HandshakeDecision.allow().withUpstreamHeader("X-User-Id", request.principal().getName()))
 * }</pre>
 *
 * <p>It runs once per handshake that matched a route and passed the proxy's own checks (path, RFC 6455
 * fields, allowed origins), before the connection limits are taken and before the upstream is contacted; plain
 * HTTP requests and requests on no route never reach it. It sees the {@link HandshakeRequest} (headers, cookies,
 * query, client address, and where the adapter has them {@link HandshakeRequest#principal()} and
 * {@link HandshakeRequest#sessionAttributes()}) and the {@link ProxyRoute} it matched.
 *
 * <p>An exception thrown here, or a {@code null} decision, refuses the handshake with 403 {@code handshake
 * refused by the authorizer} (never a 500), and the proxy logs one WARN line with the connection id and the
 * exception.
 *
 * <p>Threading: called on the thread that handed the request to the proxy (a container request thread),
 * concurrently for different handshakes. It blocks that thread while it runs, so keep it fast.
 */
@FunctionalInterface
public interface HandshakeAuthorizer {

    /**
     * Decides one handshake.
     *
     * @param request the client's handshake
     * @param route the route it matched
     * @return the decision, never {@code null}
     * @throws Exception for any failure, which refuses the handshake with 403
     */
    HandshakeDecision authorize(HandshakeRequest request, ProxyRoute route) throws Exception;
}
