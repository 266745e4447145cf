package dev.wsproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.internal.UpstreamHeaders;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-route header settings: defaults, validation in build(), and the upstream headers they produce. */
class RouteSettingsTest {

    private static ProxyRoute.Builder route() {
        return ProxyRoute.prefix("/ws/").upstream("ws://b:1/");
    }

    @Test
    void defaultsTrustNobodyAllowAnyOriginAndSendNoForwarded() {
        ProxyRoute r = route().build();
        assertEquals(List.of(), r.trustedProxies());
        assertEquals(List.of(), r.allowedOrigins());
        assertFalse(r.forwardedHeader());
        assertTrue(r.preserveHost());
    }

    /** A prefix without trailing slash works (see PathRulesTest) but is probably a slip: build() says so. */
    @Test
    void prefixWithoutTrailingSlashLogsAWarnNamingTheFix() {
        java.io.PrintStream originalErr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            ProxyRoute.prefix("/ws").upstream("ws://b:1/").build();
        } finally {
            System.setErr(originalErr);
        }
        String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(log.contains("WARN") && log.contains("write prefix(\"/ws/\")") && log.contains("'/wsfoo'"), log);
    }

    /** 20 s keeps hops alive through the common 30 s idle timeouts (Jetty's default among them). */
    @Test
    void keepaliveDefaultsTo20SecondsAndClientCompressionToOff() {
        ProxyRoute r = route().build();
        assertEquals(java.time.Duration.ofSeconds(20), r.pingInterval());
        assertFalse(r.clientCompression());
        assertTrue(route().clientCompression(true).build().toBuilder().build().clientCompression());
    }

    @Test
    void settingsSurviveToBuilder() {
        ProxyRoute r = route().trustedProxies("10.0.0.0/8").forwardedHeader(true).allowedOrigins("https://a.example")
                .setHeader("X-Env", "prod").build().toBuilder().build();
        assertEquals(List.of("10.0.0.0/8"), r.trustedProxies());
        assertTrue(r.forwardedHeader());
        assertEquals(List.of("https://a.example"), r.allowedOrigins());
        assertEquals("prod", headers(r, request().build()).get("X-Env"));
    }

    @Test void lineBreakInSetHeaderValueIsRejected() { fails(route().setHeader("X-Env", "a\r\nX-Evil: 1"), "setHeader value for 'X-Env'", "'a??X-Evil: 1'", "remove CR, LF"); }
    @Test void lineBreakInAddHeaderValueIsRejected() { fails(route().addHeader("X-Env", "a\nb"), "addHeader value for 'X-Env'", "remove CR, LF"); }
    @Test void lineBreakInHeaderNameIsRejected() { fails(route().setHeader("X-Env\r\nX-Evil", "1"), "setHeader name", "not a valid header name"); }
    @Test void handshakeHeaderCannotBeEdited() { fails(route().removeHeader("Sec-WebSocket-Protocol"), "removeHeader name 'Sec-WebSocket-Protocol'", "computes itself"); }
    @Test void addingASecondHostIsRejected() { fails(route().addHeader("Host", "x"), "addHeader name 'Host'", "setHeader"); }
    @Test void hostNameAsTrustedProxyIsRejected() { fails(route().trustedProxies("lb.internal"), "trustedProxies entry 'lb.internal'", "10.0.0.0/8"); }
    @Test void badCidrIsRejected() { fails(route().trustedProxies("10.0.0.0/33"), "trustedProxies entry '10.0.0.0/33'"); }
    @Test void badOctetIsRejected() { fails(route().trustedProxies("300.1.1.1"), "trustedProxies entry '300.1.1.1'"); }
    @Test void originWithPathIsRejected() { fails(route().allowedOrigins("https://app.example.com/chat"), "allowedOrigins entry 'https://app.example.com/chat'", "scheme://host[:port]"); }
    @Test void originWithoutSchemeIsRejected() { fails(route().allowedOrigins("app.example.com"), "allowedOrigins entry 'app.example.com'"); }

    @Test
    void clientValueWithLineBreakIsNeverSent() {
        // Containers reject these, but an adapter could build one; the value must not reach the wire.
        Map<String, String> h = headers(route().build(), request().addHeader("X-Bad", "a\r\nX-Evil: 1")
                .addHeader("Host", "h\nX-Evil: 1"));
        assertFalse(h.containsKey("X-Bad"), h.toString());
        h.values().forEach(v -> assertFalse(v.contains("\n") || v.contains("\r"), h.toString()));
    }

    @Test
    void trustedIpv6CidrMatchesPeer() {
        Map<String, String> h = headers(route().trustedProxies("fd00::/8").build(),
                request().remoteAddress("[fd00::1]").addHeader("X-Forwarded-For", "192.0.2.1"));
        assertEquals("192.0.2.1, fd00::1", h.get("X-Forwarded-For"));
        assertEquals("192.0.2.1", h.get("X-Real-IP"));
    }

    @Test
    void forwardedElementQuotesIpv6() {
        Map<String, String> h = headers(route().forwardedHeader(true).build(), request().remoteAddress("::1"));
        assertEquals("for=\"[::1]\";host=proxy;proto=http", h.get("Forwarded"));
    }

    private static Map<String, String> headers(ProxyRoute r, HandshakeRequest.Builder request) {
        return headers(r, request.build());
    }

    private static Map<String, String> headers(ProxyRoute r, HandshakeRequest request) {
        return UpstreamHeaders.forUpstream(request, r.preserveHost(), r.strippedPrefix(), r.headerPolicy());
    }

    private static HandshakeRequest.Builder request() {
        return HandshakeRequest.builder().method("GET").path("/ws/x").remoteAddress("192.0.2.9")
                .addHeader("Host", "proxy");
    }

    private static void fails(ProxyRoute.Builder route, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, route::build);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), e.getMessage());
        }
    }
}
