package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.wsproxy.Balance;
import dev.wsproxy.HealthCheck;
import dev.wsproxy.PoolSettings;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.Upstream;
import dev.wsproxy.UpstreamMember;
import dev.wsproxy.testing.TestClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Passive ejection and readmission, active health checks, backups and draining. */
class PoolHealthTest {

    @Test
    void passiveHealthEjectsAfterMaxFailsAndReadmitsAfterFailTimeout() throws Exception {
        int dead = PoolFixture.deadPort();
        String refusing = "ws://127.0.0.1:" + dead + "/";
        try (PoolFixture f = new PoolFixture(1, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of(refusing), Upstream.of(b.get(0).uri("/")))
                .balance(Balance.roundRobin())
                .poolSettings(PoolSettings.builder().maxFails(2).failTimeout(Duration.ofMillis(400)).build()).build())) {
            // round robin tries the refusing member on every other handshake or so; count its failures, not turns
            for (int i = 0; i < 10 && f.pool().member(refusing).failures() < 1; i++) {
                f.once("/ws/echo");
            }
            assertEquals(UpstreamMember.State.HEALTHY, f.pool().member(refusing).state(), "one failure of two");
            for (int i = 0; i < 10 && f.pool().member(refusing).failures() < 2; i++) {
                f.once("/ws/echo");
            }
            assertEquals(UpstreamMember.State.EJECTED, f.pool().member(refusing).state());
            assertEquals(1, f.pool().member(refusing).ejections());
            for (int i = 0; i < 10; i++) {
                f.once("/ws/echo");
            }
            assertEquals(2, f.pool().member(refusing).failures(), "skipped while ejected");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> f.pool().member(refusing).state() == UpstreamMember.State.HEALTHY);
            for (int i = 0; i < 10 && f.pool().member(refusing).ejections() < 2; i++) {
                f.once("/ws/echo");
            }
            assertEquals(4, f.pool().member(refusing).failures(), "tried again after its ejection");
            assertEquals(2, f.pool().member(refusing).ejections(), "and ejected again, for twice as long");
        }
    }

    private static HttpServer healthServer(AtomicInteger status) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/", exchange -> {
            // /health answers the status; anything else (a WebSocket handshake) 404
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/health") ? status.get() : 404, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void activeHttpCheckMarksAMemberDownAndUpAgain() throws Exception {
        AtomicInteger checkedStatus = new AtomicInteger(200);
        HttpServer checkedServer = healthServer(checkedStatus);
        HttpServer otherServer = healthServer(new AtomicInteger(200));
        String checked = "ws://127.0.0.1:" + checkedServer.getAddress().getPort() + "/";
        String other = "ws://127.0.0.1:" + otherServer.getAddress().getPort() + "/";
        try (PoolFixture f = new PoolFixture(0, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of(checked), Upstream.of(other)).balance(Balance.roundRobin())
                .poolSettings(PoolSettings.builder().healthCheck(HealthCheck.http("/health", Duration.ofMillis(50))
                        .rise(2).fall(2)).build()).build(), p -> p.detailedErrors(true))) {
            checkedStatus.set(503);
            await().atMost(Duration.ofSeconds(5)).until(() -> f.pool().member(checked).state()
                    == UpstreamMember.State.DOWN);
            assertEquals(UpstreamMember.State.HEALTHY, f.pool().member(other).state());
            for (int i = 0; i < 4; i++) {
                // these members answer handshakes with 404, which names the member that was chosen
                AssertionError refused = assertThrows(AssertionError.class, () -> f.once("/ws/echo"));
                assertTrue(refused.getMessage().contains(other.substring(0, other.length() - 1) + " answered"),
                        refused.getMessage());
            }
            checkedStatus.set(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> f.pool().member(checked).state()
                    == UpstreamMember.State.HEALTHY);
        } finally {
            checkedServer.stop(0);
            otherServer.stop(0);
        }
    }

    @Test
    void activeWebSocketCheckMarksAStoppedMemberDown() throws Exception {
        try (PoolFixture f = new PoolFixture(2, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of(b.get(0).uri("/")), Upstream.of(b.get(1).uri("/")))
                .poolSettings(PoolSettings.builder().healthCheck(HealthCheck.webSocket(Duration.ofMillis(50))
                        .fall(1).timeout(Duration.ofMillis(500))).build()).build())) {
            String stopped = f.member(1);
            await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                    .until(() -> f.pool().member(stopped).state() == UpstreamMember.State.HEALTHY);
            f.backends.get(1).close();
            await().atMost(Duration.ofSeconds(5)).until(() -> f.pool().member(stopped).state()
                    == UpstreamMember.State.DOWN);
            assertEquals(UpstreamMember.State.HEALTHY, f.pool().member(f.member(0)).state());
            assertEquals(0, f.pool().member(stopped).failures(), "marked down without a client paying for it");
        }
    }

    @Test
    void backupServesOnlyWhileNoPrimaryIsUp() throws Exception {
        try (PoolFixture f = new PoolFixture(2, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of(b.get(0).uri("/")), Upstream.of(b.get(1).uri("/")).backup()).build())) {
            String primary = f.member(0);
            String backup = f.member(1);
            for (int i = 0; i < 10; i++) {
                assertEquals(primary, f.once("/ws/echo"));
            }
            f.backends.get(0).close();
            for (int i = 0; i < 10; i++) {
                assertEquals(backup, f.once("/ws/echo"));
            }
            assertEquals(UpstreamMember.State.EJECTED, f.pool().member(primary).state());
            assertEquals(Set.of(), Set.copyOf(f.refusals));
        }
    }

    @Test
    void drainingMemberGetsNoNewConnectionsAndKeepsItsOpenOnes() throws Exception {
        try (PoolFixture f = new PoolFixture(2, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of(b.get(0).uri("/")), Upstream.of(b.get(1).uri("/"))).build())) {
            String drained = f.member(0);
            PoolFixture.Served kept = f.open("/ws/echo");
            if (!kept.member().equals(drained)) {
                kept = f.open("/ws/echo"); // least connections: the second goes to the other member
            }
            assertEquals(drained, kept.member());
            f.pool().drain(drained);
            assertEquals(UpstreamMember.State.DRAINING, f.pool().member(drained).state());
            Set<String> next = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                next.add(f.once("/ws/echo"));
            }
            assertEquals(Set.of(f.member(1)), next);
            kept.client().sendText("still here");
            assertEquals("still here", kept.client().next().asText());
            assertEquals(1, f.pool().member(drained).activeConnections());

            f.pool().drain(drained, Duration.ofMillis(100));
            TestClient.Close close = kept.client().awaitClose(Duration.ofSeconds(5));
            assertEquals(1001, close.code, close.toString());
            f.pool().undrain(drained);
            await().atMost(Duration.ofSeconds(5)).until(() -> f.pool().member(drained).activeConnections() == 0);
            assertTrue(f.pool().members().stream().allMatch(m -> m.state() == UpstreamMember.State.HEALTHY));
        }
    }
}
