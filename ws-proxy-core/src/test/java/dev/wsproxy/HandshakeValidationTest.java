package dev.wsproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Validation cases a Jetty front cannot deliver (Jetty refuses them itself), checked on
 * {@link WebSocketProxy#handshake} directly. The upstream is 127.0.0.1:1, so a handshake that passes
 * validation ends in a quick 502 "refused the connection".
 */
class HandshakeValidationTest {

    private static WebSocketProxy proxy;

    @BeforeAll
    static void start() {
        proxy = WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream("ws://127.0.0.1:1/").build())
                .route(ProxyRoute.regex("^/slow/(a|b)*$").upstream("ws://127.0.0.1:1/").build())
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
    @Test void upgradeListWithWebsocketIsValid() { valid(base("/ws/x").header("Upgrade", "foo/1, websocket")); }
    @Test void versionListWith13IsValid() { valid(base("/ws/x").header("Sec-WebSocket-Version", "13, 8")); }
    @Test void headOnlyKeyIsAnUpgradeAttempt() { refused(base("/ws/x").header("Upgrade", null).header("Connection", null), 400, "'Upgrade'"); }
    @Test void plainRequestPassesToTheApp() { assertEquals(HandshakeResult.Action.PASS, proxy.handshake(plain("/ws/x")).action()); }

    @Test
    void unexpectedFailureIsA502WithReasonNotA500() {
        // A backtracking regex on a long path overflows the stack inside the route match.
        HandshakeResult result = proxy.handshake(base("/slow/" + "a".repeat(200_000)).build());
        assertEquals(502, result.status(), result.toString());
        assertTrue(result.reason().contains("StackOverflowError"), result.reason());
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
        private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

        Req(String path) {
            this.path = path;
        }

        Req header(String name, String value) {
            if (value == null) {
                headers.remove(name);
            } else {
                headers.put(name, value);
            }
            return this;
        }

        HandshakeRequest build() {
            HandshakeRequest.Builder b = HandshakeRequest.builder().method("GET").path(path).remoteAddress("127.0.0.1");
            headers.forEach(b::addHeader);
            return b.build();
        }
    }
}
