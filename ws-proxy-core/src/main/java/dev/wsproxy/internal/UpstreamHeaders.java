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

    /** Replaced by this proxy's own view of the client (no trusted chain configured). */
    private static final Set<String> FORWARDING = caseInsensitive(
            "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix",
            "X-Real-IP", "Forwarded");

    private UpstreamHeaders() {
    }

    /**
     * The headers to put on the upstream handshake, in a stable order; {@code Host} is included only when
     * the client's must be kept. Values are single field lines ({@code Cookie} joined with {@code "; "}).
     *
     * @param strippedPrefix the part of the path a prefix route removed, or {@code null}
     */
    public static Map<String, String> forUpstream(HandshakeRequest request, boolean preserveHost,
                                                  String strippedPrefix) {
        Set<String> dropped = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        dropped.addAll(HeaderTokens.split(request.headers("Connection")));
        Map<String, String> out = new LinkedHashMap<>();
        String clientHost = request.header("Host");
        if (preserveHost && clientHost != null) {
            out.put("Host", clientHost);
        }
        for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
            String name = header.getKey();
            if (HOP_BY_HOP.contains(name) || HANDSHAKE.contains(name) || FORWARDING.contains(name)
                    || dropped.contains(name) || name.startsWith(":")) {
                continue;
            }
            String separator = name.equalsIgnoreCase("Cookie") ? "; " : ", ";
            out.put(name, String.join(separator, header.getValue()));
        }
        String clientIp = request.remoteAddress();
        if (!clientIp.isEmpty()) {
            out.put("X-Forwarded-For", clientIp);
            out.put("X-Real-IP", clientIp);
        }
        out.put("X-Forwarded-Proto", request.scheme());
        if (clientHost != null) {
            out.put("X-Forwarded-Host", clientHost);
        }
        if (request.port() > 0) {
            out.put("X-Forwarded-Port", Integer.toString(request.port()));
        }
        if (strippedPrefix != null) {
            out.put("X-Forwarded-Prefix", request.contextPath() + strippedPrefix);
        }
        out.values().removeIf(v -> !HeaderTokens.isSafeValue(v));
        return out;
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
