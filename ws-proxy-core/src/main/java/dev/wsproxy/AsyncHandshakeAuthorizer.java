package dev.wsproxy;

import java.util.concurrent.CompletionStage;

/**
 * {@link HandshakeAuthorizer} for decisions that wait on I/O, such as an OAuth token introspection call: returns
 * a {@link CompletionStage} and the proxy goes on when it completes. Register with
 * {@link WebSocketProxy.Builder#asyncAuthorizer(AsyncHandshakeAuthorizer)}.
 *
 * <p>The stage has {@link WebSocketProxy.Builder#authorizationTimeout(java.time.Duration) authorizationTimeout} (default
 * 10 s) to complete: later, the handshake is refused with 503 {@code authorization did not answer in time} and
 * {@code Retry-After: 5}. A stage completed exceptionally, a {@code null} stage or decision, or an exception
 * thrown by this method refuses it with 403, logged at WARN with the connection id. Where the container thread
 * can be released (Jetty) nothing waits for the stage; on Tomcat and Undertow the request thread waits, at most
 * the timeout.
 *
 * <p>Threading: called on the request thread; the stage may complete on any thread. Read what you need from
 * the request (principal, session attributes) in this method, not in a later stage.
 */
@FunctionalInterface
public interface AsyncHandshakeAuthorizer {

    /**
     * Starts deciding one handshake.
     *
     * @param request the client's handshake
     * @param route the route it matched
     * @return a stage completing with the decision
     */
    CompletionStage<HandshakeDecision> authorize(HandshakeRequest request, ProxyRoute route);
}
