package dev.wsproxy;

import dev.wsproxy.internal.HandshakeValidator;
import dev.wsproxy.internal.UpstreamFailure;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's refusals before the 101: each one is logged once at WARN with the connection id, client address
 * and path, told to the listener, and answered with a status and a one-line reason. A refusal the upstream
 * caused names the upstream only in the log and the listener unless {@code detailedErrors}. Thread-safe.
 */
final class Refusals {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketProxy.class);

    private final ProxyListener listener;
    private final boolean detailedErrors;

    Refusals(ProxyListener listener, boolean detailedErrors) {
        this.listener = listener;
        this.detailedErrors = detailedErrors;
    }

    HandshakeResult unexpected(String id, HandshakeRequest request, Throwable e) {
        // A bug deserves its stack trace; a stack overflow (e.g. a backtracking route regex) does not.
        LOG.warn("[{}] unexpected failure handling {} from {}: {}", id, printablePath(request),
                request.remoteAddress(), e.toString(), e instanceof StackOverflowError ? null : e);
        return refuseUpstream(id, request, 502, "the proxy failed while handling this handshake ("
                + e.getClass().getSimpleName() + "; see the proxy log for connection " + id + ")");
    }

    /** A pool's failure: 503 with Retry-After when no member could take the connection, else the upstream's. */
    HandshakeResult refusePool(String id, HandshakeRequest request, UpstreamFailure failure) {
        return failure.status() == 503 ? refuse(id, request, 503, failure.getMessage(), Map.of("Retry-After", "5"))
                : refuseUpstream(id, request, failure.status(), failure.getMessage());
    }

    HandshakeResult refuse(String id, HandshakeRequest request, int status, String reason,
                                   Map<String, String> headers) {
        return refuse(id, request, status, reason, reason, headers);
    }

    /**
     * A refusal the upstream caused: its reason names the upstream's address, so unless {@link #detailedErrors}
     * the client gets a generic one with the connection id, and the log and listener get the full reason.
     */
    HandshakeResult refuseUpstream(String id, HandshakeRequest request, int status, String reason) {
        String generic = status == 504 ? "upstream timed out"
                : status >= 400 && status < 500 ? "upstream refused the handshake with HTTP " + status
                : "upstream unavailable";
        HandshakeResult result = refuse(id, request, status, reason,
                (detailedErrors ? reason : generic) + " (connection " + id + ")", Map.of());
        result.byUpstream = true;
        return result;
    }

    HandshakeResult refuse(String id, HandshakeRequest request, int status, String reason,
                                   String clientReason, Map<String, String> headers) {
        LOG.warn("[{}] refused {} from {}: {} {}", id, printablePath(request), request.remoteAddress(), status,
                reason);
        try {
            listener.onRefused(request, status, reason);
        } catch (RuntimeException e) {
            LOG.warn("[{}] listener threw", id, e);
        }
        HandshakeResult result = HandshakeResult.reject(status, clientReason, headers);
        result.logReason = reason;
        return result;
    }

    static String printablePath(HandshakeRequest request) {
        return HandshakeValidator.printable(request.contextPath() + request.path(), 200);
    }
}
