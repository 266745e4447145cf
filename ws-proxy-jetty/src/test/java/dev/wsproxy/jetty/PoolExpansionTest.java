package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.Balance;
import dev.wsproxy.HealthCheck;
import dev.wsproxy.PoolSettings;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.Upstream;
import dev.wsproxy.UpstreamMember;
import dev.wsproxy.testing.Backend;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A host name expanded into one member per address: two real backends on one port, on 127.0.0.1 and 127.0.0.2
 * (both loopback on Linux), behind the name {@code chat.test} answered by the pool's resolver seam.
 */
class PoolExpansionTest {

    private Backend one;
    private Backend two;
    private final AtomicReference<List<String>> answer = new AtomicReference<>(List.of("127.0.0.2", "127.0.0.1"));

    @BeforeEach
    void twoBackendsOnOnePort() throws Exception {
        for (int i = 0; two == null; i++) {
            one = Backend.start();
            try {
                two = Backend.startOn("127.0.0.2", one.port());
            } catch (Exception taken) { // that port is in use on 127.0.0.2: take another pair
                one.close();
                if (i == 4) {
                    throw taken;
                }
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        one.close();
        two.close();
    }

    private String name() {
        return "ws://chat.test:" + one.port() + "/";
    }

    private String at(String address) {
        return name() + " (" + address + ")";
    }

    private List<InetAddress> resolve(String host) throws UnknownHostException {
        assertEquals("chat.test", host, "only the name is resolved, never an address");
        List<InetAddress> out = new java.util.ArrayList<>();
        for (String a : answer.get()) {
            out.add(InetAddress.getByName(a)); // literals: no system DNS
        }
        return out;
    }

    private PoolFixture proxy(UnaryOperator<ProxyRoute.Builder> route, UnaryOperator<PoolSettings.Builder> settings)
            throws Exception {
        return new PoolFixture(0, b -> route.apply(ProxyRoute.prefix("/ws/").preserveHost(false)
                .upstreams(Upstream.of(name()).expandAddresses())
                .poolSettings(settings.apply(PoolSettings.builder().resolver(this::resolve)).build())).build());
    }

    @ParameterizedTest
    @EnumSource(ProxyRoute.RelayMode.class)
    void roundRobinSpreadsOverEveryAddressAndTheUpstreamStillSeesTheName(ProxyRoute.RelayMode mode) throws Exception {
        try (PoolFixture f = proxy(r -> r.balance(Balance.roundRobin()).relayMode(mode), s -> s)) {
            Map<String, Integer> served = new HashMap<>();
            for (int i = 0; i < 20; i++) {
                served.merge(f.once("/ws/echo"), 1, Integer::sum);
            }
            assertEquals(Map.of(at("127.0.0.1"), 10, at("127.0.0.2"), 10), served);
            assertEquals(List.of(at("127.0.0.1"), at("127.0.0.2")), f.pool().members().stream()
                    .map(UpstreamMember::uri).toList(), "ordered by address, whatever the resolver's order");
            for (Backend backend : List.of(one, two)) {
                assertEquals("chat.test:" + one.port(), backend.takeHandshake().header("Host"));
            }
        }
    }

    @Test
    void eachAddressHasTheWeightOfItsUpstream() throws Exception {
        try (PoolFixture f = new PoolFixture(1, b -> ProxyRoute.prefix("/ws/").balance(Balance.roundRobin())
                .upstreams(Upstream.of(name()).weight(2).expandAddresses(), Upstream.of(b.get(0).uri("/")))
                .poolSettings(PoolSettings.builder().resolver(this::resolve).build()).build())) {
            Map<String, Integer> served = new HashMap<>();
            for (int i = 0; i < 50; i++) {
                served.merge(f.once("/ws/echo"), 1, Integer::sum);
            }
            assertEquals(Map.of(at("127.0.0.1"), 20, at("127.0.0.2"), 20, f.member(0), 10), served,
                    "2 + 2 shares for the name's two addresses, 1 for the other member");
            assertEquals(List.of(2, 2, 1), f.pool().members().stream().map(UpstreamMember::weight).toList());
        }
    }

    @Test
    void theAccessLogAndMetricsKeepTheNameNotTheAddress() throws Exception {
        try (AccessLogCapture log = new AccessLogCapture(); PoolFixture f = proxy(r -> r, s -> s)) {
            f.once("/ws/echo");
            String line = log.next("event=close");
            assertTrue(line.contains(" upstream=chat.test:" + one.port() + " "), line);
        }
    }

    @Test
    void anAddressWhoseBackendIsDownIsEjectedAlone() throws Exception {
        try (LogCapture log = new LogCapture("dev.wsproxy.internal.pool.");
             PoolFixture f = proxy(r -> r.balance(Balance.roundRobin()), s -> s.maxFails(1))) {
            two.close();
            for (int i = 0; i < 10; i++) {
                assertEquals(at("127.0.0.1"), f.once("/ws/echo"), "retried on the other address, never a 502");
            }
            assertEquals(UpstreamMember.State.EJECTED, f.pool().member(at("127.0.0.2")).state());
            assertEquals(1, f.pool().member(at("127.0.0.2")).ejections());
            assertEquals(UpstreamMember.State.HEALTHY, f.pool().member(at("127.0.0.1")).state());
            assertEquals(List.of(), f.refusals);
            List<LogCapture.Line> ejected = log.lines("WARN", "upstream " + at("127.0.0.2") + " ejected for 10s");
            assertEquals(1, ejected.size(), () -> log.lines(null).toString());
            assertTrue(ejected.get(0).message().contains("(last: at 127.0.0.2, upstream "), ejected.get(0).message());
            assertEquals(List.of(), log.lines("WARN", at("127.0.0.1")));
        }
    }

    @Test
    void anAddressGoneAfterTheTtlGetsNoNewConnectionsAndKeepsItsOpenOnes() throws Exception {
        try (LogCapture log = new LogCapture("dev.wsproxy.internal.pool.Expansion");
             PoolFixture f = proxy(r -> r, s -> s.dnsTtl(Duration.ofMillis(300)))) {
            PoolFixture.Served first = f.open("/ws/echo");
            PoolFixture.Served second = f.open("/ws/echo");
            assertEquals(Set.of(at("127.0.0.1"), at("127.0.0.2")), Set.of(first.member(), second.member()),
                    "least connections: one on each address");
            PoolFixture.Served kept = first.member().equals(at("127.0.0.2")) ? first : second;

            answer.set(List.of("127.0.0.1"));
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                f.once("/ws/echo");
                return f.pool().member(at("127.0.0.2")).state() == UpstreamMember.State.DRAINING;
            });
            for (int i = 0; i < 10; i++) {
                assertEquals(at("127.0.0.1"), f.once("/ws/echo"), "the address that has 1 connection, not 2, but gone");
            }
            kept.client().sendText("still here");
            assertEquals("still here", kept.client().next().asText());
            // the raw handshakes' sockets close on their own time; the kept client stays
            await().atMost(Duration.ofSeconds(5)).until(() -> f.pool().member(at("127.0.0.2")).activeConnections() == 1);
            LogCapture.Line change = log.await("resolves to 1 address(es): [127.0.0.1]");
            assertTrue(change.message().contains("no new connections to [127.0.0.2 (keeps its "), change.message());

            kept.client().close(1000, "done");
            await().atMost(Duration.ofSeconds(5)).until(() -> f.pool().members().size() == 1);
            assertThrows(IllegalArgumentException.class, () -> f.pool().member(at("127.0.0.2")));

            answer.set(List.of("127.0.0.1", "127.0.0.2"));
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> f.once("/ws/echo").equals(at("127.0.0.2")));
            assertEquals(UpstreamMember.State.HEALTHY, f.pool().member(at("127.0.0.2")).state());
        }
    }

    @Test
    void activeChecksCheckEachAddress() throws Exception {
        try (PoolFixture f = proxy(r -> r, s -> s.healthCheck(HealthCheck.webSocket(Duration.ofMillis(50)).fall(1)
                .timeout(Duration.ofMillis(500))))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> f.pool().members().size() == 2);
            two.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> f.pool().member(at("127.0.0.2")).state()
                    == UpstreamMember.State.DOWN);
            assertEquals(UpstreamMember.State.HEALTHY, f.pool().member(at("127.0.0.1")).state());
            for (int i = 0; i < 5; i++) {
                assertEquals(at("127.0.0.1"), f.once("/ws/echo"));
            }
            assertEquals(0, f.pool().member(at("127.0.0.2")).failures(), "no client paid for finding out");
        }
    }

    @Test
    void aHashKeyStaysOnOneAddressAndDrainingTheNameDrainsEveryAddress() throws Exception {
        try (PoolFixture f = proxy(r -> r.balance(Balance.hashHeader("X-User")), s -> s)) {
            Set<String> members = new java.util.HashSet<>();
            for (int u = 0; u < 20; u++) {
                String member = f.pool().memberFor("user-" + u);
                members.add(member);
                for (int i = 0; i < 3; i++) {
                    assertEquals(member, f.once("/ws/echo", "X-User", "user-" + u));
                }
            }
            assertEquals(Set.of(at("127.0.0.1"), at("127.0.0.2")), members, "keys spread over both addresses");
            f.pool().drain(name());
            assertTrue(f.pool().members().stream().allMatch(m -> m.state() == UpstreamMember.State.DRAINING));
            AssertionError refused = assertThrows(AssertionError.class, () -> f.once("/ws/echo"));
            assertTrue(refused.getMessage().contains("503"), refused.getMessage());
            f.pool().undrain(name());
            assertTrue(f.pool().members().stream().allMatch(m -> m.state() == UpstreamMember.State.HEALTHY));
        }
    }
}
