package dev.wsproxy.internal;

import dev.wsproxy.HandshakeRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Computes the headers of the proxy-to-upstream handshake from the client-to-proxy handshake. Stateless.
 *
 * <p>Rules (RFC 9110 section 7.6.1, RFC 6455 section 4.1): hop-by-hop headers and every header named in
 * {@code Connection} are dropped; the client's {@code Sec-WebSocket-*} handshake headers are never copied
 * (the upstream client makes its own key, and extensions are negotiated per hop); end-to-end headers
 * such as {@code Cookie}, {@code Authorization}, {@code User-Agent} and {@code Origin} are forwarded; the
 * {@code X-Forwarded-*} family and {@code X-Real-IP} describe the client as this proxy saw it.
 */
public final class UpstreamHeaders {

    private static final Set<String> HOP_BY_HOP = caseInsensitive(
            "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection",
            "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length", "Expect", "HTTP2-Settings");

    private static final Set<String> HANDSHAKE = caseInsensitive(
            "Sec-WebSocket-Key", "Sec-WebSocket-Accept", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions",
            "Sec-WebSocket-Protocol", "Host");

    /** Never copied as is: recomputed in {@link #forUpstream}, appending to a trusted peer's values. */
    private static final Set<String> FORWARDING = caseInsensitive(
            "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix",
            "X-Real-IP", "Forwarded");

    /**
     * Headers some servers and CDNs read as the client's identity, address or original URL: from an untrusted
     * peer they can only be forged, so they are dropped (a trusted proxy's are kept).
     */
    private static final Set<String> IDENTITY = caseInsensitive(
            "True-Client-IP", "X-Client-IP", "X-Original-URL", "X-Rewrite-URL", "X-Forwarded-Ssl",
            "X-Forwarded-Scheme", "X-Cluster-Client-IP", "CF-Connecting-IP", "Fastly-Client-IP");

    private UpstreamHeaders() {
    }

    /**
     * The headers to put on the upstream handshake, in a stable order; {@code Host} is included only when
     * the client's must be kept. Values are single field lines ({@code Cookie} joined with {@code "; "}); a
     * value holding CR, LF or NUL is never included.
     *
     * <p>Forwarding headers: from an untrusted peer (the default: no proxy is trusted) every incoming
     * {@code X-Forwarded-*}, {@code X-Real-IP} and {@code Forwarded} is discarded and replaced by what
     * this proxy saw. From a {@linkplain HeaderPolicy#isTrusted trusted} peer, {@code X-Forwarded-For} and
     * {@code Forwarded} are appended to, the incoming {@code X-Forwarded-Proto/-Host/-Port} are kept, and
     * {@code X-Real-IP} is the right-most untrusted address of the chain (nginx {@code real_ip_recursive}).
     *
     * <p>Identity lookalikes: header names containing {@code _} are dropped unless the route keeps them
     * ({@code X_Forwarded_For} is folded into {@code X-Forwarded-For} by many frameworks); {@code True-Client-IP},
     * {@code X-Client-IP}, {@code X-Original-URL}, {@code X-Rewrite-URL}, {@code X-Forwarded-Ssl},
     * {@code X-Forwarded-Scheme} (and similar CDN headers) are dropped unless the peer is trusted; the route's
     * {@linkplain HeaderPolicy#userHeader() user header} carries {@link HandshakeRequest#user()} only, never the
     * client's value.
     *
     * @param strippedPrefix the part of the path a prefix route removed, or {@code null}
     */
    public static Map<String, String> forUpstream(HandshakeRequest request, boolean preserveHost,
                                                  String strippedPrefix, HeaderPolicy policy) {
        Set<String> dropped = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        dropped.addAll(HeaderTokens.split(request.headers("Connection")));
        boolean trustedPeer = policy.isTrusted(request.remoteAddress());
        String userHeader = policy.userHeader();
        Map<String, String> out = new LinkedHashMap<>();
        String clientHost = request.header("Host");
        if (preserveHost && clientHost != null) {
            out.put("Host", clientHost);
        }
        for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
            String name = header.getKey();
            if (HOP_BY_HOP.contains(name) || HANDSHAKE.contains(name) || FORWARDING.contains(name)
                    || dropped.contains(name) || name.startsWith(":")
                    || (name.indexOf('_') >= 0 && !policy.keepUnderscores())
                    || (IDENTITY.contains(name) && !trustedPeer)
                    || name.equalsIgnoreCase(userHeader)) {
                continue;
            }
            String separator = name.equalsIgnoreCase("Cookie") ? "; " : ", ";
            out.put(name, String.join(separator, header.getValue()));
        }
        String clientIp = bare(request.remoteAddress());
        List<String> chain = trustedPeer ? HeaderTokens.split(request.headers("X-Forwarded-For")) : List.of();
        if (!clientIp.isEmpty()) {
            out.put("X-Forwarded-For", chain.isEmpty() ? clientIp : String.join(", ", chain) + ", " + clientIp);
            out.put("X-Real-IP", trustedPeer ? realClient(chain, clientIp, policy) : clientIp);
        }
        out.put("X-Forwarded-Proto", incomingOr(trustedPeer, request, "X-Forwarded-Proto", request.scheme()));
        if (clientHost != null) {
            out.put("X-Forwarded-Host", incomingOr(trustedPeer, request, "X-Forwarded-Host", clientHost));
        }
        if (request.port() > 0) {
            out.put("X-Forwarded-Port", incomingOr(trustedPeer, request, "X-Forwarded-Port",
                    Integer.toString(request.port())));
        }
        if (strippedPrefix != null) {
            out.put("X-Forwarded-Prefix", request.contextPath() + strippedPrefix);
        }
        String incomingForwarded = trustedPeer ? String.join(", ", request.headers("Forwarded")) : "";
        if (policy.forwarded()) {
            String element = forwardedElement(clientIp, clientHost, request.scheme());
            out.put("Forwarded", incomingForwarded.isBlank() ? element : incomingForwarded + ", " + element);
        } else if (!incomingForwarded.isBlank()) {
            out.put("Forwarded", incomingForwarded);
        }
        if (userHeader != null && request.user() != null) {
            out.put(userHeader, request.user());
        }
        policy.apply(out);
        out.values().removeIf(v -> !HeaderTokens.isSafeValue(v));
        return out;
    }

    /**
     * The client's address for keys such as a pool's client-address hash: the TCP peer, or when the peer is a
     * trusted proxy the right-most untrusted {@code X-Forwarded-For} address (as {@code X-Real-IP}).
     */
    public static String clientAddress(HandshakeRequest request, HeaderPolicy policy) {
        String peer = bare(request.remoteAddress());
        if (!policy.isTrusted(request.remoteAddress())) {
            return peer;
        }
        return realClient(HeaderTokens.split(request.headers("X-Forwarded-For")), peer, policy);
    }

    /** One RFC 7239 element: {@code for=...;host=...;proto=...}, quoting what is not a token. */
    static String forwardedElement(String clientIp, String host, String scheme) {
        String node = clientIp.isEmpty() ? "unknown" : clientIp.indexOf(':') >= 0 ? "[" + clientIp + "]" : clientIp;
        StringBuilder element = new StringBuilder("for=").append(quoted(node));
        if (host != null) {
            element.append(";host=").append(quoted(host));
        }
        return element.append(";proto=").append(quoted(scheme)).toString();
    }

    private static String quoted(String value) {
        return HeaderPolicy.isToken(value) ? value
                : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The right-most address of the chain that is not a trusted proxy, else the left-most. */
    private static String realClient(List<String> chain, String peer, HeaderPolicy policy) {
        String candidate = peer;
        for (int i = chain.size() - 1; i >= 0 && policy.isTrusted(candidate); i--) {
            candidate = chain.get(i);
        }
        return candidate;
    }

    private static String incomingOr(boolean trustedPeer, HandshakeRequest request, String name, String own) {
        String incoming = trustedPeer ? request.header(name) : null;
        return incoming == null || incoming.isBlank() ? own : incoming.trim();
    }

    private static String bare(String address) {
        String a = address.trim();
        return a.startsWith("[") && a.endsWith("]") ? a.substring(1, a.length() - 1) : a;
    }

    /** The client's offered subprotocols, in order, without duplicates. */
    public static List<String> offeredSubprotocols(HandshakeRequest request) {
        return HeaderTokens.split(request.headers("Sec-WebSocket-Protocol")).stream()
                .distinct().toList();
    }

    private static Set<String> caseInsensitive(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String n : names) {
            set.add(n.toLowerCase(Locale.ROOT));
        }
        return set;
    }
}
