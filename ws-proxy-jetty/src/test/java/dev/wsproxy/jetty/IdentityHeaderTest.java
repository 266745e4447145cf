package dev.wsproxy.jetty;

import static dev.wsproxy.jetty.Handshakes.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.RawHttp;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lookalike identity headers a client could forge, proven by what the recording {@link Backend} received:
 * underscore names, CDN/rewrite headers from untrusted peers, and the route's user header.
 */
class IdentityHeaderTest {

    private static final List<String> IDENTITY = List.of("True-Client-IP", "X-Client-IP", "X-Original-URL",
            "X-Rewrite-URL", "X-Forwarded-Ssl", "X-Forwarded-Scheme");

    private static ProxyFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).userHeader("X-Forwarded-User").build())
                .route(ProxyRoute.prefix("/trusted/").upstream(backend.uri("/")).trustedProxies("127.0.0.0/8").build())
                .route(ProxyRoute.prefix("/underscores/").upstream(backend.uri("/")).keepUnderscoreHeaders(true).build())
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
    void headerNamesWithUnderscoresAreDroppedByDefault() throws Exception {
        Backend.Recorded seen = through(get("/ws/echo").plus("X_Forwarded_For: 6.6.6.6").plus("X-Real_IP: 6.6.6.6")
                .plus("X_Custom: x"));
        assertNull(seen.header("X_Forwarded_For"), seen.toString());
        assertNull(seen.header("X-Real_IP"), seen.toString());
        assertNull(seen.header("X_Custom"), seen.toString());
        assertEquals("127.0.0.1", seen.header("X-Forwarded-For"));
    }

    @Test
    void headerNamesWithUnderscoresAreKeptWhenTheRouteSaysSo() throws Exception {
        assertEquals("x", through(get("/underscores/echo").plus("X_Custom: x")).header("X_Custom"));
    }

    @Test
    void identityHeadersFromAnUntrustedPeerAreDropped() throws Exception {
        Handshakes request = get("/ws/echo");
        IDENTITY.forEach(name -> request.plus(name + ": forged"));
        Backend.Recorded seen = through(request);
        for (String name : IDENTITY) {
            assertNull(seen.header(name), name + " reached the upstream: " + seen);
        }
    }

    @Test
    void identityHeadersFromATrustedProxyAreKept() throws Exception {
        Handshakes request = get("/trusted/echo");
        IDENTITY.forEach(name -> request.plus(name + ": from-lb"));
        Backend.Recorded seen = through(request);
        for (String name : IDENTITY) {
            assertEquals("from-lb", seen.header(name), name);
        }
    }

    @Test
    void clientCannotForgeTheUserHeader() throws Exception {
        // anonymous: the container knows no user, so the client's value is dropped and none is sent
        assertNull(through(get("/ws/echo").plus("X-Forwarded-User: admin")).header("X-Forwarded-User"));
    }

    /** Sends the handshake, expects 101, and returns what the backend saw. */
    private static Backend.Recorded through(Handshakes request) throws Exception {
        RawHttp.Response response = RawHttp.exchange(f.server.port(), request.lines());
        assertEquals(101, response.status, response.toString());
        return f.backend.takeHandshake();
    }
}
