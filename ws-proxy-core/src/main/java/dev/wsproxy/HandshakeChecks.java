package dev.wsproxy;

import dev.wsproxy.internal.HandshakeValidator;
import dev.wsproxy.internal.PathNormalizer;
import dev.wsproxy.internal.PathRules;
import java.util.Map;

/**
 * The checks a handshake on a route passes before any upstream is contacted: is it an upgrade at all, is its path
 * one the upstream reads as the proxy does (no {@code ..}, no encoded slash unless allowed, valid
 * percent-encoding), is the handshake itself valid (RFC 6455), is its {@code Origin} allowed. Stateless.
 */
final class HandshakeChecks {

    /** Not a WebSocket handshake, on a route that lets other requests through. */
    static final Object PASS = new Object();

    private HandshakeChecks() {
    }

    /**
     * {@link #PASS}, a {@link HandshakeValidator.Refusal} to answer with, or the (possibly rewritten) upstream
     * target to go on with.
     */
    static Object check(ProxyRoute route, String target, PathNormalizer.Result normalized,
                        HandshakeRequest request) {
        if (!HandshakeValidator.isUpgradeAttempt(request)) {
            if (route.rejectNonUpgrade()) {
                return new HandshakeValidator.Refusal(426, "this path only accepts WebSocket connections (send a"
                        + " WebSocket handshake: Upgrade: websocket, Connection: Upgrade)", Map.of("Upgrade", "websocket"));
            }
            return PASS;
        }
        String pathProblem = normalized.problem();
        if (pathProblem == null && normalized.hasEncodedSlash() && !route.allowEncodedSlash()) {
            pathProblem = "the path has an encoded slash (%2F), which upstreams read differently (send '/' or,"
                    + " if the upstream keeps %2F opaque, set the route's allowEncodedSlash)";
        }
        if (pathProblem == null && route.keepRepeatedSlashes()) {
            String kept = PathNormalizer.normalize(request.path(), true).path();
            target = route.rewrite(kept, request.query());
            if (target == null) {
                pathProblem = "the path matches this route only with its repeated '/' merged (send single"
                        + " slashes; the route keeps repeated slashes)";
            }
        }
        if (pathProblem == null) {
            // A regex template can assemble '..' from harmless captures: check what the upstream would get.
            String targetPath = target.substring(target.indexOf('/', target.indexOf("://") + 3));
            int query = targetPath.indexOf('?');
            pathProblem = PathRules.problem(query < 0 ? targetPath : targetPath.substring(0, query));
        }
        if (pathProblem == null && request.query() != null && PathRules.badPercentEncoding(request.query()) != null) {
            pathProblem = "the query has invalid percent-encoding '" + HandshakeValidator.printable(
                    PathRules.badPercentEncoding(request.query())) + "' (encode '%' itself as %25)";
        }
        if (pathProblem != null) {
            return new HandshakeValidator.Refusal(400, pathProblem, Map.of());
        }
        HandshakeValidator.Refusal refusal = HandshakeValidator.validate(request);
        if (refusal != null) {
            return refusal;
        }
        String origin = request.header("Origin");
        if (!route.headerPolicy().originAllowed(origin)) {
            return new HandshakeValidator.Refusal(403, "Origin '" + HandshakeValidator.printable(origin) + "' is not"
                    + " allowed on this path (if that is your site, add it to the route's allowedOrigins)", Map.of());
        }
        return target;
    }
}
