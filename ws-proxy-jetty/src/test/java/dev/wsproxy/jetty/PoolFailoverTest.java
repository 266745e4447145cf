package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.Balance;
import dev.wsproxy.PoolSettings;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.Upstream;
import dev.wsproxy.UpstreamMember;
import dev.wsproxy.testing.RawHttp;
import dev.wsproxy.testing.TestClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Retries before the 101: refused, killed and blackholed members, and what the client sees when all fail. */
class PoolFailoverTest {

    private static RawHttp.Response handshake(PoolFixture f) throws Exception {
        return RawHttp.exchange(f.server.port(), "GET /ws/echo HTTP/1.1", "Host: 127.0.0.1:" + f.server.port(),
                "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                "Sec-WebSocket-Version: 13");
    }

    @Test
    void aRefusingMemberIsNeverSeenByClientsWhileAnotherIsUp() throws Exception {
        int dead = PoolFixture.deadPort();
        try (PoolFixture f = new PoolFixture(1, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of("ws://127.0.0.1:" + dead + "/"), Upstream.of(b.get(0).uri("/")))
                .balance(Balance.roundRobin()).build())) {
            for (int i = 0; i < 20; i++) {
                assertEquals(f.member(0), f.once("/ws/echo"));
            }
            UpstreamMember refusing = f.pool().member("ws://127.0.0.1:" + dead + "/");
            assertEquals(UpstreamMember.State.EJECTED, refusing.state(), refusing::toString);
            assertEquals(1, refusing.failures(), "ejected after its first failure, then skipped");
            assertEquals(Set.of(), Set.copyOf(f.refusals));
        }
    }

    @Test
    void messageModeFailsOverToo() throws Exception {
        int dead = PoolFixture.deadPort();
        try (PoolFixture f = new PoolFixture(1, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of("ws://127.0.0.1:" + dead + "/"), Upstream.of(b.get(0).uri("/")))
                .balance(Balance.roundRobin()).relayMode(ProxyRoute.RelayMode.MESSAGE).build())) {
            for (int i = 0; i < 5; i++) {
                PoolFixture.Served served = f.open("/ws/echo");
                served.client().sendText("ping " + i);
                assertEquals("ping " + i, served.client().next().asText());
                served.client().close();
                assertEquals(f.member(0), served.member());
            }
            assertEquals(1, f.pool().member("ws://127.0.0.1:" + dead + "/").failures());
        }
    }

    @Test
    void killingAMemberMidRunSendsNewHandshakesElsewhereAtOnce() throws Exception {
        try (PoolFixture f = new PoolFixture(2, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of(b.get(0).uri("/")), Upstream.of(b.get(1).uri("/")))
                .balance(Balance.roundRobin()).build())) {
            Set<String> before = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                before.add(f.once("/ws/echo"));
            }
            assertEquals(2, before.size());
            String killed = f.member(1);
            f.backends.get(1).close();
            for (int i = 0; i < 20; i++) {
                assertEquals(f.member(0), f.once("/ws/echo"));
            }
            assertEquals(Set.of(), Set.copyOf(f.refusals));
            assertEquals(UpstreamMember.State.EJECTED, f.pool().member(killed).state());
        }
    }

    @Test
    void allMembersDownIs502NamingEachAttempt() throws Exception {
        int deadA = PoolFixture.deadPort();
        int deadB = PoolFixture.deadPort();
        try (PoolFixture f = new PoolFixture(0, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of("ws://127.0.0.1:" + deadA + "/"), Upstream.of("ws://127.0.0.1:" + deadB + "/"))
                .build(), p -> p.detailedErrors(true))) {
            RawHttp.Response response = handshake(f);
            assertEquals(502, response.status, response.toString());
            assertTrue(response.body.contains("all 2 attempt(s) failed"), response.body);
            assertTrue(response.body.contains("1) upstream ws://127.0.0.1:") && response.body.contains("2) upstream"),
                    response.body);
            assertTrue(response.body.contains(":" + deadA) && response.body.contains(":" + deadB), response.body);
        }
    }

    @Test
    void aBlackholedMemberGivesWayToTheNextWithinTheDeadlineAnd504OnlyWhenAllTimeOut() throws Exception {
        try (ServerSocket blackhole = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
             ServerSocket blackhole2 = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            // the kernel completes TCP handshakes into the backlog; nothing ever reads or answers
            String silent = "ws://127.0.0.1:" + blackhole.getLocalPort() + "/";
            try (PoolFixture f = new PoolFixture(1, b -> ProxyRoute.prefix("/ws/")
                    .upstreams(Upstream.of(silent), Upstream.of(b.get(0).uri("/")))
                    .balance(Balance.roundRobin()).connectTimeout(Duration.ofSeconds(5))
                    .poolSettings(PoolSettings.builder().attemptTimeout(Duration.ofMillis(300)).build()).build())) {
                long start = System.nanoTime();
                assertEquals(f.member(0), f.once("/ws/echo"));
                assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "within the route's deadline");
                assertEquals(1, f.pool().member(silent).failures());
            }
            String silent2 = "ws://127.0.0.1:" + blackhole2.getLocalPort() + "/";
            try (PoolFixture f = new PoolFixture(0, b -> ProxyRoute.prefix("/ws/")
                    .upstreams(Upstream.of(silent), Upstream.of(silent2))
                    .connectTimeout(Duration.ofMillis(600)).build(), p -> p.detailedErrors(true))) {
                RawHttp.Response response = handshake(f);
                assertEquals(504, response.status, response.toString());
                assertTrue(response.body.contains("all 2 attempt(s) failed"), response.body);
                assertTrue(response.body.contains("did not complete the WebSocket handshake within 300ms"),
                        response.body);
            }
        }
    }

    @Test
    void everyMemberFullIs503WithRetryAfter() throws Exception {
        try (PoolFixture f = new PoolFixture(2, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of(b.get(0).uri("/")).maxConnections(1), Upstream.of(b.get(1).uri("/")).maxConnections(1))
                .build())) {
            TestClient first = f.open("/ws/echo").client();
            TestClient second = f.open("/ws/echo").client();
            RawHttp.Response response = handshake(f);
            assertEquals(503, response.status, response.toString());
            assertEquals("5", response.header("Retry-After"));
            assertTrue(f.refusals.stream().anyMatch(r -> r.contains("at its connection limit")), f.refusals::toString);
            first.abort();
            await().atMost(Duration.ofSeconds(5)).until(() -> f.pool().members().stream()
                    .mapToInt(UpstreamMember::activeConnections).sum() == 1);
            f.once("/ws/echo");
            second.abort();
            assertThrows(IllegalArgumentException.class, () -> f.pool().member("ws://nope:1/"));
        }
    }

    @Test
    void anUpstream4xxIsTheAnswerAndIsNotRetried() throws Exception {
        com.sun.net.httpserver.HttpServer forbidding = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        forbidding.createContext("/", exchange -> {
            exchange.sendResponseHeaders(403, -1);
            exchange.close();
        });
        forbidding.start();
        String forbids = "ws://127.0.0.1:" + forbidding.getAddress().getPort() + "/";
        try (PoolFixture f = new PoolFixture(1, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of(forbids), Upstream.of(b.get(0).uri("/")))
                .balance(Balance.hashHeader("X-User")).build())) {
            String key = "k0";
            for (int i = 1; !f.pool().memberFor(key).equals(forbids); i++) {
                key = "k" + i; // a key whose first choice is the forbidding member
            }
            int before = f.backends.get(0).pendingHandshakes();
            RawHttp.Response response = RawHttp.exchange(f.server.port(), "GET /ws/echo HTTP/1.1",
                    "Host: 127.0.0.1:" + f.server.port(), "Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13", "X-User: " + key);
            assertEquals(403, response.status, response.toString());
            assertEquals(before, f.backends.get(0).pendingHandshakes(), "the other member was not tried");
            assertEquals(0, f.pool().member(forbids).failures(), "a 4xx is an answer, not a failure");
        } finally {
            forbidding.stop(0);
        }
    }
}
