package dev.wsproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Validation cases a Jetty front cannot deliver (Jetty refuses them itself), checked on
 * {@link WebSocketProxy#handshake} directly. The upstream is 127.0.0.1:1, so a handshake that passes
 * validation ends in a quick 502 "refused the connection" (the proxy has detailed error bodies on; the
 * default generic body is checked separately).
 */
class HandshakeValidationTest {

    private static WebSocketProxy proxy;

    @BeforeAll
    static void start() {
        proxy = WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream("ws://127.0.0.1:1/").build())
                .route(ProxyRoute.regex("^/slow/(a|b)*$").upstream("ws://127.0.0.1:1/").build())
                .detailedErrors(true)
                .build();
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test void missingConnectionIsRefused() { refused(base("/ws/x").header("Connection", null), 400, "'Connection' header to contain 'Upgrade' but it was missing"); }
    @Test void connectionWithoutUpgradeTokenIsRefused() { refused(base("/ws/x").header("Connection", "keep-alive"), 400, "but was 'keep-alive'"); }
    @Test void connectionListWithUpgradeIsValid() { valid(base("/ws/x").header("Connection", "keep-alive, Upgrade")); }
    @Test void connectionTokensAreCaseInsensitive() { valid(base("/ws/x").header("Connection", "UPGRADE").header("Upgrade", "WebSocket")); }
    @Test void upgradeListWithWebsocketIsRefusedLikeTheContainer() { refused(base("/ws/x").header("Upgrade", "websocket, h2c"), 400, "send only Upgrade: websocket"); }
    @Test void versionListWith13IsRefusedLikeTheContainer() { refused(base("/ws/x").header("Sec-WebSocket-Version", "8, 13"), 426, "'8, 13'"); }
    @Test void lowerCaseMethodIsRefused() { refused(base("/ws/x").method("get"), 405, "must use GET but was 'get'"); }
    @Test void twoOriginsAreRefused() { refused(base("/ws/x").header("Origin", "https://a.example").add("Origin", "https://evil.example"), 400, "at most one 'Origin'"); }
    @Test void originListIsRefused() { refused(base("/ws/x").header("Origin", "https://a.example, https://evil.example"), 400, "at most one 'Origin'"); }
    @Test void twoHostsAreRefused() { refused(base("/ws/x").add("Host", "evil"), 400, "at most one 'Host'"); }
    @Test void oneOriginIsValid() { valid(base("/ws/x").header("Origin", "https://a.example")); }
    @Test void headOnlyKeyIsAnUpgradeAttempt() { refused(base("/ws/x").header("Upgrade", null).header("Connection", null), 400, "'Upgrade'"); }
    @Test void plainRequestPassesToTheApp() { assertEquals(HandshakeResult.Action.PASS, proxy.handshake(plain("/ws/x")).action()); }

    @Test
    void unexpectedFailureIsA502WithReasonNotA500() {
        // A backtracking regex on a long path overflows the stack inside the route match.
        HandshakeResult result = proxy.handshake(base("/slow/" + "a".repeat(200_000)).build());
        assertEquals(502, result.status(), result.toString());
        assertTrue(result.reason().contains("StackOverflowError"), result.reason());
    }

    @Test
    void upstreamFailureBodyIsGenericWithTheConnectionIdByDefault() {
        java.util.List<String> reasons = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (WebSocketProxy quiet = WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream("ws://127.0.0.1:1/").build())
                .listener(new ProxyListener() {
                    @Override
                    public void onRefused(HandshakeRequest request, int status, String reason) {
                        reasons.add(reason);
                    }
                }).build()) {
            HandshakeResult result = quiet.handshake(base("/ws/x").build());
            assertEquals(502, result.status(), result.toString());
            assertTrue(result.reason().matches("upstream unavailable \\(connection ws-[0-9a-f]+\\)"), result.reason());
            assertTrue(!result.reason().contains("127.0.0.1"), result.reason());
            assertTrue(reasons.get(0).contains("ws://127.0.0.1:1 refused the connection"), reasons.toString());
        }
    }

    @Test
    void unexpectedFailureBodyIsGenericByDefault() {
        try (WebSocketProxy quiet = WebSocketProxy.builder()
                .route(ProxyRoute.regex("^/slow/(a|b)*$").upstream("ws://127.0.0.1:1/").build()).build()) {
            HandshakeResult result = quiet.handshake(base("/slow/" + "a".repeat(200_000)).build());
            assertEquals(502, result.status(), result.toString());
            assertTrue(result.reason().startsWith("upstream unavailable (connection "), result.reason());
            assertTrue(!result.reason().contains("StackOverflowError"), result.reason());
        }
    }

    private static void valid(Req request) {
        HandshakeResult result = proxy.handshake(request.build());
        assertEquals(502, result.status(), result.toString());
        assertTrue(result.reason().contains("refused the connection"), result.reason());
    }

    private static void refused(Req request, int status, String reason) {
        HandshakeResult result = proxy.handshake(request.build());
        assertEquals(status, result.status(), result.toString());
        assertTrue(result.reason().contains(reason), result.reason());
    }

    private static HandshakeRequest plain(String path) {
        return HandshakeRequest.builder().method("GET").path(path).addHeader("Host", "proxy").build();
    }

    private static Req base(String path) {
        return new Req(path).header("Host", "proxy").header("Upgrade", "websocket").header("Connection", "Upgrade")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").header("Sec-WebSocket-Version", "13");
    }

    /** A valid handshake with headers replaced ({@code null} removes). */
    private static final class Req {
        private final String path;
        private final java.util.Map<String, java.util.List<String>> headers = new java.util.LinkedHashMap<>();
        private String method = "GET";

        Req(String path) {
            this.path = path;
        }

        Req header(String name, String value) {
            if (value == null) {
                headers.remove(name);
            } else {
                headers.put(name, new java.util.ArrayList<>(java.util.List.of(value)));
            }
            return this;
        }

        Req add(String name, String value) {
            headers.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(value);
            return this;
        }

        Req method(String method) {
            this.method = method;
            return this;
        }

        HandshakeRequest build() {
            HandshakeRequest.Builder b = HandshakeRequest.builder().method(method).path(path).remoteAddress("127.0.0.1");
            headers.forEach((name, values) -> values.forEach(v -> b.addHeader(name, v)));
            return b.build();
        }
    }
}
