package dev.wsproxy.jetty;

import static dev.wsproxy.jetty.Handshakes.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.RawHttp;
import dev.wsproxy.testing.TestClient;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each header rule, proven by what the recording {@link Backend} received on the wire. */
class HeaderForwardingTest {

    private static ProxyFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                .route(ProxyRoute.prefix("/own-host/").upstream(backend.uri("/")).preserveHost(false).build())
                .route(ProxyRoute.prefix("/trusted/").upstream(backend.uri("/")).trustedProxies("127.0.0.0/8")
                        .forwardedHeader(true).build())
                .route(ProxyRoute.prefix("/edited/").upstream(backend.uri("/"))
                        .removeHeader("Cookie").setHeader("User-Agent", "ws-proxy-test")
                        .addHeader("X-Env", "prod").addHeader("X-Trace", "proxy").removeHeader("X-Real-IP").build())
                .route(ProxyRoute.prefix("/app/").upstream(backend.uri("/"))
                        .allowedOrigins("https://app.example.com").build())
                .route(ProxyRoute.regex("^/rx/(.*)$").upstream(backend.uri("/base/$1")).build())
                .route(ProxyRoute.prefix("/message/").upstream(backend.uri("/"))
                        .relayMode(ProxyRoute.RelayMode.MESSAGE).build())
                .build());
    }

    @AfterAll
    static void stop() throws Exception {
        f.close();
    }

    @AfterEach
    void nothingLeftOver() {
        assertEquals(0, f.backend.pendingHandshakes(), "unexpected extra upstream handshakes");
    }

    @Test
    void hopByHopHeadersAndThoseNamedInConnectionAreDropped() throws Exception {
        Backend.Recorded seen = through(get("/ws/echo").with("Connection: Upgrade, X-Hop").plus("X-Hop: secret")
                .plus("Keep-Alive: timeout=5").plus("TE: trailers").plus("Proxy-Authorization: Basic eA=="));
        for (String name : List.of("X-Hop", "Keep-Alive", "TE", "Proxy-Authorization")) {
            assertNull(seen.header(name), name + " reached the upstream: " + seen);
        }
        assertEquals("Upgrade", seen.header("Connection"));
    }

    @Test
    void messageModeDoesNotCopyTheClientsHandshakeHeaders() throws Exception {
        Backend.Recorded seen = through(get("/message/echo")
                .plus("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"));
        assertNull(seen.header("Sec-WebSocket-Extensions"), seen.toString());
        assertNotEquals(Handshakes.KEY, seen.header("Sec-WebSocket-Key"));
        assertEquals("13", seen.header("Sec-WebSocket-Version"));
    }

    @Test
    void tunnelModeForwardsTheClientsHandshakeSoBothEndsNegotiate() throws Exception {
        Backend.Recorded seen = through(get("/ws/echo")
                .plus("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"));
        assertEquals("permessage-deflate; client_max_window_bits", seen.header("Sec-WebSocket-Extensions"),
                seen.toString());
        assertEquals(Handshakes.KEY, seen.header("Sec-WebSocket-Key"));
        assertEquals("13", seen.header("Sec-WebSocket-Version"));
    }

    @Test
    void endToEndHeadersAreForwarded() throws Exception {
        Backend.Recorded seen = through(get("/ws/echo").plus("Cookie: a=1").plus("Cookie: b=2")
                .plus("Authorization: Bearer t0k3n").plus("User-Agent: curl/7.88.1")
                .plus("Origin: https://app.example.com").plus("X-Custom: kept"));
        assertEquals("a=1; b=2", seen.header("Cookie"));
        assertEquals("Bearer t0k3n", seen.header("Authorization"));
        assertEquals("curl/7.88.1", seen.header("User-Agent"));
        assertEquals("https://app.example.com", seen.header("Origin"));
        assertEquals("kept", seen.header("X-Custom"));
    }

    @Test
    void noOriginIsInventedWhenTheClientSentNone() throws Exception {
        assertNull(through(get("/ws/echo")).header("Origin"));
    }

    @Test
    void forwardingHeadersDescribeTheClient() throws Exception {
        int port = f.server.port();
        Backend.Recorded seen = through(get("/ws/echo").with("Host: 127.0.0.1:" + port));
        assertEquals("127.0.0.1", seen.header("X-Forwarded-For"));
        assertEquals("127.0.0.1", seen.header("X-Real-IP"));
        assertEquals("http", seen.header("X-Forwarded-Proto"));
        assertEquals("127.0.0.1:" + port, seen.header("X-Forwarded-Host"));
        assertEquals(Integer.toString(port), seen.header("X-Forwarded-Port"));
        assertEquals("/ws", seen.header("X-Forwarded-Prefix"));
        assertNull(seen.header("Forwarded"), "Forwarded is only sent when the route asks for it");
    }

    @Test
    void noPrefixHeaderWhenNothingWasStripped() throws Exception {
        Backend.Recorded seen = through(get("/rx/echo"));
        assertEquals("/base/echo", seen.path);
        assertNull(seen.header("X-Forwarded-Prefix"));
    }

    @Test
    void forgedForwardingHeadersFromUntrustedPeerAreReplaced() throws Exception {
        Backend.Recorded seen = through(get("/ws/echo").plus("X-Forwarded-For: 6.6.6.6").plus("X-Real-IP: 6.6.6.6")
                .plus("X-Forwarded-Proto: https").plus("X-Forwarded-Host: evil").plus("Forwarded: for=6.6.6.6"));
        assertEquals("127.0.0.1", seen.header("X-Forwarded-For"));
        assertEquals("127.0.0.1", seen.header("X-Real-IP"));
        assertEquals("http", seen.header("X-Forwarded-Proto"));
        assertEquals("127.0.0.1", seen.header("X-Forwarded-Host"));
        assertNull(seen.header("Forwarded"));
    }

    @Test
    void forwardedForIsAppendedForTrustedPeer() throws Exception {
        Backend.Recorded seen = through(get("/trusted/echo").plus("X-Forwarded-For: 203.0.113.9, 10.0.0.2")
                .plus("X-Forwarded-Proto: https").plus("Forwarded: for=203.0.113.9;proto=https"));
        assertEquals("203.0.113.9, 10.0.0.2, 127.0.0.1", seen.header("X-Forwarded-For"));
        assertEquals("10.0.0.2", seen.header("X-Real-IP"), "right-most untrusted address of the chain");
        assertEquals("https", seen.header("X-Forwarded-Proto"), "a trusted peer's scheme is kept");
        assertEquals("for=203.0.113.9;proto=https, for=127.0.0.1;host=127.0.0.1;proto=http", seen.header("Forwarded"));
    }

    @Test
    void forwardedHeaderQuotesHostWithPort() throws Exception {
        Backend.Recorded seen = through(get("/trusted/echo").with("Host: example.com:8080"));
        assertEquals("127.0.0.1", seen.header("X-Forwarded-For"));
        assertEquals("for=127.0.0.1;host=\"example.com:8080\";proto=http", seen.header("Forwarded"));
    }

    @Test
    void hostIsTheClientsByDefault() throws Exception {
        assertEquals("example.com:1234", through(get("/ws/echo").with("Host: example.com:1234")).header("Host"));
    }

    @Test
    void hostIsTheUpstreamsWhenNotPreserved() throws Exception {
        Backend.Recorded seen = through(get("/own-host/echo").with("Host: example.com:1234"));
        assertEquals("127.0.0.1:" + f.backend.port(), seen.header("Host"));
        assertEquals("example.com:1234", seen.header("X-Forwarded-Host"));
    }

    @Test
    void routeHeaderEditsAreApplied() throws Exception {
        Backend.Recorded seen = through(get("/edited/echo").plus("Cookie: session=1").plus("User-Agent: curl/7.88.1")
                .plus("X-Trace: client"));
        assertNull(seen.header("Cookie"), "removeHeader");
        assertEquals("ws-proxy-test", seen.header("User-Agent"), "setHeader replaces the client's");
        assertEquals("prod", seen.header("X-Env"), "addHeader adds");
        assertEquals("client, proxy", seen.header("X-Trace"), "addHeader appends");
        assertNull(seen.header("X-Real-IP"), "removeHeader also applies to the proxy's own headers");
    }

    @Test
    void allowedOriginConnectsWhateverItsCaseAndDefaultPort() throws Exception {
        assertEquals("/echo", through(get("/app/echo").plus("Origin: HTTPS://App.Example.com:443")).path);
    }

    @Test
    void pathReachesTheUpstreamNormalisedAndQueryAsSent() throws Exception {
        Backend.Recorded seen = through(get("/ws/a%20b/./%c3%a9;p=1/%7Ex?x=%2F%20y&z=1+2"));
        assertEquals("/a%20b/%C3%A9/~x", seen.path);
        assertEquals("x=%2F%20y&z=1+2", seen.query);
    }

    @Test
    void setCookieOfTheUpstreamReachesTheClient() throws Exception {
        RawHttp.Response response = RawHttp.exchange(f.server.port(), get("/ws/echo").lines());
        assertEquals(101, response.status, response.toString());
        assertEquals("backend=1; Path=/", response.header("Set-Cookie"));
        f.backend.takeHandshake();
    }

    @Test
    void subprotocolsAreOfferedInOrderAndTheUpstreamsChoiceReturns() throws Exception {
        try (TestClient client = TestClient.connect(f.uri("/ws/echo"), List.of("chat.v1", "chat.v2"))) {
            assertEquals("chat.v1", client.subprotocol());
        }
        assertEquals("chat.v1, chat.v2", f.backend.takeHandshake().header("Sec-WebSocket-Protocol"));
    }

    @Test
    void noSubprotocolWhenTheUpstreamPicksNone() throws Exception {
        try (TestClient client = TestClient.connect(f.uri("/ws/echo"), List.of("other.v9"))) {
            assertEquals("", client.subprotocol());
        }
        assertEquals("other.v9", f.backend.takeHandshake().header("Sec-WebSocket-Protocol"));
    }

    @Test
    void noSubprotocolHeaderWhenTheClientOffersNone() throws Exception {
        try (TestClient client = TestClient.connect(f.uri("/ws/echo"))) {
            assertEquals("", client.subprotocol());
        }
        assertNull(f.backend.takeHandshake().header("Sec-WebSocket-Protocol"));
    }

    /** Sends the handshake, expects 101, and returns what the backend saw. */
    private static Backend.Recorded through(Handshakes request) throws Exception {
        RawHttp.Response response = RawHttp.exchange(f.server.port(), request.lines());
        assertEquals(101, response.status, response.toString());
        return f.backend.takeHandshake();
    }
}
