package dev.wsproxy.internal;

import dev.wsproxy.HandshakeRequest;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Checks a request against RFC 6455 section 4.2.1 before any upstream connection is made. Stateless.
 *
 * <p>Every refusal names what was expected, what arrived, and the usual cause, because the usual cause
 * of a bad handshake at a proxy is another proxy in front of it.
 *
 * <p>As strict as the containers behind it (Jetty, Tomcat, Undertow), so a request one of them would refuse
 * after the upstream was already connected is refused here first: the method is exactly {@code GET}
 * (methods are case-sensitive), {@code Upgrade} is the single token {@code websocket},
 * {@code Sec-WebSocket-Version} is exactly {@code 13}, and {@code Host} and {@code Origin} appear at most once.
 */
public final class HandshakeValidator {

    private HandshakeValidator() {
    }

    /**
     * Whether the request tries to be a WebSocket handshake at all: {@code Upgrade: websocket}, a
     * {@code Sec-WebSocket-Key}, or an HTTP/2 CONNECT. Other requests are not ours.
     */
    public static boolean isUpgradeAttempt(HandshakeRequest request) {
        // An "Upgrade: h2c" offer (the JDK HttpClient sends one by default) is a plain request that a server
        // may serve as HTTP/1.1: it is not a WebSocket attempt. A Sec-WebSocket-Key is.
        return HeaderTokens.contains(request.headers("Upgrade"), "websocket")
                || request.header("Sec-WebSocket-Key") != null || isHttp2Connect(request);
    }

    /** An RFC 8441 extended CONNECT as a servlet container presents it. */
    public static boolean isHttp2Connect(HandshakeRequest request) {
        return "CONNECT".equalsIgnoreCase(request.method()) && request.protocol().startsWith("HTTP/2");
    }

    /** Returns the refusal for a malformed handshake, or {@code null} when it is valid. */
    public static Refusal validate(HandshakeRequest request) {
        for (String name : new String[] {"Host", "Origin"}) {
            List<String> values = request.headers(name);
            if (values.size() > 1 || (values.size() == 1 && values.get(0).indexOf(',') >= 0)) {
                return new Refusal(400, "Expected at most one '" + name + "' but got '"
                        + printable(String.join(", ", values)) + "' (send one " + name + "; something in front"
                        + " of this app may be adding a second)", Map.of());
            }
        }
        if (isHttp2Connect(request)) {
            // RFC 8441: no Upgrade/Connection/Key on HTTP/2; the container has already checked :protocol.
            return checkVersion(request);
        }
        if (!"GET".equals(request.method())) {
            return new Refusal(405, "WebSocket handshake must use GET but was '" + printable(request.method())
                    + "' (WebSocket clients always send GET; is something rewriting the method?)",
                    Map.of("Allow", "GET"));
        }
        if (!request.protocol().equalsIgnoreCase("HTTP/1.1")) {
            return new Refusal(400, "WebSocket handshake needs HTTP/1.1 but the request came as "
                    + request.protocol() + " (a proxy in front of this app is downgrading it;"
                    + " nginx: proxy_http_version 1.1)", Map.of());
        }
        List<String> upgrade = request.headers("Upgrade");
        List<String> upgradeTokens = HeaderTokens.split(upgrade);
        if (upgradeTokens.size() != 1 || !upgradeTokens.get(0).equalsIgnoreCase("websocket")) {
            return new Refusal(400, upgrade.isEmpty()
                    ? "Expected 'Upgrade' header value 'websocket' but it was missing (a proxy in front of"
                        + " this app is dropping it; nginx: proxy_set_header Upgrade $http_upgrade)"
                    : "Expected 'Upgrade' header value 'websocket' but was '" + printable(String.join(", ", upgrade))
                        + "' (send only Upgrade: websocket)",
                    Map.of());
        }
        List<String> connection = request.headers("Connection");
        if (!HeaderTokens.contains(connection, "upgrade")) {
            return new Refusal(400, "Expected 'Connection' header to contain 'Upgrade' but "
                    + (connection.isEmpty() ? "it was missing" : "was '" + printable(String.join(", ", connection))
                    + "'") + " (a proxy in front of this app is dropping it;"
                    + " nginx: proxy_set_header Connection \"upgrade\")", Map.of());
        }
        List<String> keys = request.headers("Sec-WebSocket-Key");
        if (keys.size() != 1) {
            return new Refusal(400, keys.isEmpty()
                    ? "Missing 'Sec-WebSocket-Key' header (the client must send 16 random bytes in base64)"
                    : "Expected one 'Sec-WebSocket-Key' header but got " + keys.size()
                        + " (send exactly one)", Map.of());
        }
        String key = keys.get(0).trim();
        if (!isValidKey(key)) {
            return new Refusal(400, "Expected 'Sec-WebSocket-Key' to be 16 bytes in base64 (24 characters)"
                    + " but was '" + printable(key) + "' (the client must send 16 random bytes in base64,"
                    + " e.g. dGhlIHNhbXBsZSBub25jZQ==)", Map.of());
        }
        for (String subprotocol : HeaderTokens.split(request.headers("Sec-WebSocket-Protocol"))) {
            if (!HeaderPolicy.isToken(subprotocol)) {
                return new Refusal(400, "Expected 'Sec-WebSocket-Protocol' to list tokens but found '"
                        + printable(subprotocol) + "' (subprotocol names have no spaces or quotes,"
                        + " e.g. chat.v1; separate several with commas)", Map.of());
            }
        }
        return checkVersion(request);
    }

    private static Refusal checkVersion(HandshakeRequest request) {
        List<String> versions = HeaderTokens.split(request.headers("Sec-WebSocket-Version"));
        if (versions.isEmpty()) {
            return new Refusal(426, "Missing 'Sec-WebSocket-Version' header (this server speaks version 13)",
                    Map.of("Sec-WebSocket-Version", "13"));
        }
        if (versions.size() != 1 || request.headers("Sec-WebSocket-Version").size() != 1
                || !versions.get(0).equals("13")) {
            return new Refusal(426, "Expected 'Sec-WebSocket-Version' 13 but was '"
                    + printable(String.join(", ", versions)) + "' (this server speaks only version 13, RFC 6455;"
                    + " update the client)", Map.of("Sec-WebSocket-Version", "13"));
        }
        return null;
    }

    static boolean isValidKey(String key) {
        if (key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Shortens and neutralises an attacker-controlled value before it is echoed or logged. */
    public static String printable(String value) {
        return printable(value, 64);
    }

    /** {@link #printable(String)} keeping up to {@code max} characters. */
    public static String printable(String value, int max) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), max));
        for (int i = 0; i < value.length() && out.length() < max; i++) {
            char c = value.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (value.length() > max) {
            out.append("...");
        }
        return out.toString();
    }

    /** An HTTP refusal: status, one-line reason, extra response headers. */
    public static final class Refusal {
        public final int status;
        public final String reason;
        public final Map<String, String> headers;

        public Refusal(int status, String reason, Map<String, String> headers) {
            this.status = status;
            this.reason = reason;
            this.headers = headers;
        }
    }
}
