package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.AsyncHandshakeAuthorizer;
import dev.wsproxy.HandshakeAuthorizer;
import dev.wsproxy.HandshakeDecision;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.RawHttp;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The authorization hook on a {@link JettyProxyServer}: it runs before the upstream is contacted, its refusals
 * reach the client with their status, reason and headers, its upstream headers and chosen upstream reach the
 * upstream, and failures (exception, failed stage, late stage) are refusals without any upstream handshake.
 */
class AuthorizerTest {

    private static ProxyFixture start(HandshakeAuthorizer authorizer) throws Exception {
        return ProxyFixture.start(backend -> WebSocketProxy.builder().authorizer(authorizer)
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).build());
    }

    private static ProxyFixture startAsync(AsyncHandshakeAuthorizer authorizer) throws Exception {
        return ProxyFixture.start(backend -> WebSocketProxy.builder().asyncAuthorizer(authorizer)
                .authorizationTimeout(Duration.ofMillis(500))
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).build());
    }

    private static RawHttp.Response handshake(ProxyFixture fixture, String... extraHeaders) throws Exception {
        Handshakes request = Handshakes.get("/ws/echo");
        for (String header : extraHeaders) {
            request = request.plus(header);
        }
        return RawHttp.exchange(fixture.server.port(), request.lines());
    }

    private static final HandshakeAuthorizer TOKEN = (request, route) ->
            "Bearer alice-token".equals(request.header("Authorization"))
                    ? HandshakeDecision.allow().withUpstreamHeader("X-User-Id", "alice")
                    : HandshakeDecision.unauthorized("Bearer realm=\"chat\"", "a valid token is required");

    @Test
    void allowedHandshakeCarriesTheAuthorizersHeaderUpstream() throws Exception {
        try (ProxyFixture fixture = start(TOKEN)) {
            RawHttp.Response response = handshake(fixture, "Authorization: Bearer alice-token", "X-User-Id: admin");
            assertEquals(101, response.status, response.toString());
            assertEquals("alice", fixture.backend.takeHandshake().header("X-User-Id"));
        }
    }

    @Test
    void refusalReachesTheClientWithItsChallengeAndNoUpstreamHandshake() throws Exception {
        try (ProxyFixture fixture = start(TOKEN)) {
            RawHttp.Response response = handshake(fixture, "Authorization: Bearer mallory");
            assertEquals(401, response.status, response.toString());
            assertEquals("Bearer realm=\"chat\"", response.header("WWW-Authenticate"));
            assertTrue(response.body.contains("a valid token is required"), response.body);
            assertEquals(0, fixture.backend.pendingHandshakes());
        }
    }

    @Test
    void exceptionInTheAuthorizerIs403WithoutDetails() throws Exception {
        try (ProxyFixture fixture = start((request, route) -> {
            throw new IllegalStateException("token service secret-host:8443 down");
        })) {
            RawHttp.Response response = handshake(fixture);
            assertEquals(403, response.status, response.toString());
            assertFalse(response.body.contains("secret-host"), response.body);
            assertEquals(0, fixture.backend.pendingHandshakes());
        }
    }

    @Test
    void nullDecisionIs403() throws Exception {
        try (ProxyFixture fixture = start((request, route) -> null)) {
            assertEquals(403, handshake(fixture).status);
        }
    }

    @Test
    void lateAsyncDecisionIsHonoured() throws Exception {
        try (ProxyFixture fixture = startAsync((request, route) -> CompletableFuture.supplyAsync(
                () -> HandshakeDecision.allow().withUpstreamHeader("X-User-Id", "bob"),
                CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)))) {
            RawHttp.Response response = handshake(fixture);
            assertEquals(101, response.status, response.toString());
            assertEquals("bob", fixture.backend.takeHandshake().header("X-User-Id"));
        }
    }

    @Test
    void failedStageIs403() throws Exception {
        try (ProxyFixture fixture = startAsync((request, route) ->
                CompletableFuture.failedFuture(new java.io.IOException("introspection failed")))) {
            assertEquals(403, handshake(fixture).status);
            assertEquals(0, fixture.backend.pendingHandshakes());
        }
    }

    @Test
    void stageThatNeverCompletesIs503AfterTheTimeout() throws Exception {
        try (ProxyFixture fixture = startAsync((request, route) -> new CompletableFuture<>())) {
            RawHttp.Response response = handshake(fixture);
            assertEquals(503, response.status, response.toString());
            assertEquals("5", response.header("Retry-After"));
            assertEquals(0, fixture.backend.pendingHandshakes());
        }
    }

    @Test
    void chosenUpstreamReplacesTheRoutesHostAndKeepsThePath() throws Exception {
        int deadPort;
        try (ServerSocket unused = new ServerSocket(0)) {
            deadPort = unused.getLocalPort();
        }
        Backend member = Backend.start();
        Function<Backend, WebSocketProxy> proxy = backend -> WebSocketProxy.builder()
                .authorizer((request, route) -> HandshakeDecision.allow().withUpstream(member.uri("")))
                .route(ProxyRoute.prefix("/ws/").upstream("ws://127.0.0.1:" + deadPort + "/").build()).build();
        try (member; ProxyFixture fixture = ProxyFixture.start(proxy)) {
            RawHttp.Response response = handshake(fixture);
            assertEquals(101, response.status, response.toString());
            assertEquals("/echo", member.takeHandshake().path);
        }
    }

    @Test
    void decisionRefusesHandshakeOwnedHeaders() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> HandshakeDecision.allow().withUpstreamHeader("Sec-WebSocket-Key", "x"));
        assertTrue(e.getMessage().contains("Sec-WebSocket-Key"), e.getMessage());
    }
}
