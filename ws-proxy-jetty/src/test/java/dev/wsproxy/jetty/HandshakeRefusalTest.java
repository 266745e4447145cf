package dev.wsproxy.jetty;

import static dev.wsproxy.jetty.Handshakes.get;
import static dev.wsproxy.jetty.Handshakes.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.RawHttp;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed handshakes sent from a raw socket through the real proxy: each gets its exact status, a
 * reason in a plain-text body, the headers RFC 6455 asks for, and the upstream never sees a handshake.
 * (Jetty refuses an {@code Upgrade} without {@code Connection: Upgrade}, and {@code ..} above the root, before any
 * filter runs;
 * {@link JettyProxyServer} words that refusal; the proxy's own check is in the core tests.)
 */
class HandshakeRefusalTest {

    private static ProxyFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                .route(ProxyRoute.prefix("/strict/").upstream(backend.uri("/")).rejectNonUpgrade(true)
                        .allowedOrigins("https://app.example.com").build())
                .build());
    }

    @AfterAll
    static void stop() throws Exception {
        f.close();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                refused("postIsRefusedWith405", line("POST /ws/echo HTTP/1.1").plus("Content-Length: 0"), 405, "must use GET", "Allow", "GET"),
                refused("putIsRefusedWith405", line("PUT /ws/echo HTTP/1.1").plus("Content-Length: 0"), 405, "must use GET", "Allow", "GET"),
                refused("http10IsRefused", line("GET /ws/echo HTTP/1.0"), 400, "needs HTTP/1.1"),
                refused("missingUpgradeIsRefused", get("/ws/echo").without("Upgrade"), 400, "'Upgrade' header value 'websocket' but it was missing"),
                refused("otherUpgradeIsRefused", get("/ws/echo").with("Upgrade: foo/2"), 400, "but was 'foo/2'"),
                refused("upgradeLookalikeIsRefused", get("/ws/echo").with("Upgrade: websockets"), 400, "but was 'websockets'"),
                refused("missingConnectionIsRefused", get("/ws/echo").without("Connection"), 400, "'Connection' header to contain 'Upgrade'"),
                refused("connectionWithoutUpgradeTokenIsRefused", get("/ws/echo").with("Connection: keep-alive"), 400, "'Connection' header to contain 'Upgrade'"),
                refused("upgradeMustBeAWholeConnectionToken", get("/ws/echo").with("Connection: Upgraded"), 400, "'Connection' header to contain 'Upgrade'"),
                refused("missingKeyIsRefused", get("/ws/echo").without("Sec-WebSocket-Key"), 400, "Missing 'Sec-WebSocket-Key'"),
                refused("shortKeyIsRefused", get("/ws/echo").with("Sec-WebSocket-Key: test"), 400, "16 bytes in base64 (24 characters) but was 'test'"),
                refused("keyOf18BytesIsRefused", get("/ws/echo").with("Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAAA"), 400, "16 bytes in base64"),
                refused("keyThatIsNotBase64IsRefused", get("/ws/echo").with("Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!=="), 400, "16 bytes in base64"),
                refused("twoKeysAreRefused", get("/ws/echo").plus("Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA=="), 400, "one 'Sec-WebSocket-Key' header but got 2"),
                refused("missingVersionGets426", get("/ws/echo").without("Sec-WebSocket-Version"), 426, "Missing 'Sec-WebSocket-Version'", "Sec-WebSocket-Version", "13"),
                refused("version8Gets426", get("/ws/echo").with("Sec-WebSocket-Version: 8"), 426, "13 but was '8'", "Sec-WebSocket-Version", "13"),
                refused("garbageVersionGets426", get("/ws/echo").with("Sec-WebSocket-Version: thirteen"), 426, "but was 'thirteen'", "Sec-WebSocket-Version", "13"),
                refused("subprotocolThatIsNotATokenIsRefused", get("/ws/echo").plus("Sec-WebSocket-Protocol: chat v1"), 400, "found 'chat v1'"),
                refused("foreignOriginGets403", get("/strict/echo").plus("Origin: https://evil.example.net"), 403, "Origin 'https://evil.example.net' is not allowed"),
                refused("plainRequestOnStrictRouteGets426", line("GET /strict/echo HTTP/1.1").without("Upgrade").without("Connection").without("Sec-WebSocket-Key"), 426, "only accepts WebSocket", "Upgrade", "websocket"),
                // a '..' above the root, in any spelling, Jetty refuses itself (400) before the proxy sees it
                refused("traversalBeforeEncodedSlashIsRefused", get("/ws/..%2Fadmin"), 400, "encoded slash"),
                refused("encodedSlashIsRefused", get("/ws/admin%2Fx"), 400, "encoded slash (%2F)"),
                refused("traversalWithPathParameterIsRefused", get("/ws/..;/admin"), 400, "parameters"),
                refused("traversalWithEncodedSemicolonIsRefused", get("/ws/%2e%2e%3b/admin"), 400, "parameters"),
                refused("doubleEncodedDotsAreRefused", get("/ws/%252e%252e/admin"), 400, "double-encoded"),
                refused("lowerCaseGetIsRefusedWith405", line("get /ws/echo HTTP/1.1"), 405, "must use GET but was 'get'", "Allow", "GET"),
                refused("versionListGets426", get("/ws/echo").with("Sec-WebSocket-Version: 8, 13"), 426, "13 but was '8, 13'", "Sec-WebSocket-Version", "13"),
                refused("twoVersionLinesGet426", get("/ws/echo").plus("Sec-WebSocket-Version: 8"), 426, "13 but was", "Sec-WebSocket-Version", "13"),
                refused("upgradeListIsRefused", get("/ws/echo").with("Upgrade: websocket, foo/1"), 400, "send only Upgrade: websocket"),
                refused("twoOriginsAreRefused", get("/ws/echo").plus("Origin: https://a.example").plus("Origin: https://evil.example"), 400, "at most one 'Origin'"),
                refused("originListIsRefused", get("/ws/echo").plus("Origin: https://a.example, https://evil.example"), 400, "at most one 'Origin'"),
                refused("brokenQueryEncodingIsRefused", get("/ws/echo?a=%zz"), 400, "invalid percent-encoding '%zz'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusedBeforeTheUpstream(Handshakes request, int status, String reason, String header, String value)
            throws Exception {
        RawHttp.Response response = RawHttp.exchange(f.server.port(), request.lines());
        assertEquals(status, response.status, response.toString());
        assertTrue(response.body.contains(reason), "body: " + response.body);
        assertTrue(response.header("Content-Type").startsWith("text/plain"), response.toString());
        if (header != null) {
            assertEquals(value, response.header(header), response.toString());
        }
        assertEquals(0, f.backend.pendingHandshakes(), "the upstream saw a handshake");
        assertEquals(0, f.proxy.activeConnections());
    }

    private static Arguments refused(String name, Handshakes request, int status, String reason) {
        return refused(name, request, status, reason, null, null);
    }

    private static Arguments refused(String name, Handshakes request, int status, String reason, String header,
                                     String value) {
        return Arguments.of(named(name, request), status, reason, header, value);
    }
}
