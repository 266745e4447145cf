package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.Balance;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.Upstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Round robin, weights, least connections and power of two choices over real backends. */
class PoolBalanceTest {

    private static Map<String, Integer> count(List<String> members) {
        Map<String, Integer> counts = new TreeMap<>();
        members.forEach(m -> counts.merge(m, 1, Integer::sum));
        return counts;
    }

    @Test
    void roundRobinSpreadsThreeHundredConnectionsEvenlyOverThreeMembers() throws Exception {
        try (PoolFixture f = new PoolFixture(3, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of(b.get(0).uri("/")), Upstream.of(b.get(1).uri("/")), Upstream.of(b.get(2).uri("/")))
                .balance(Balance.roundRobin()).build())) {
            List<String> served = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                served.add(f.once("/ws/echo"));
            }
            Map<String, Integer> counts = count(served);
            assertEquals(3, counts.size(), counts::toString);
            counts.values().forEach(n -> assertTrue(Math.abs(n - 100) <= 1, counts::toString));
        }
    }

    @Test
    void weightsOneToTwoGetOneThirdAndTwoThirds() throws Exception {
        try (PoolFixture f = new PoolFixture(2, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of(b.get(0).uri("/")), Upstream.of(b.get(1).uri("/")).weight(2))
                .balance(Balance.roundRobin()).build())) {
            List<String> served = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                served.add(f.once("/ws/echo"));
            }
            Map<String, Integer> counts = count(served);
            assertTrue(Math.abs(counts.get(f.member(0)) - 100) <= 6, counts::toString);
            assertTrue(Math.abs(counts.get(f.member(1)) - 200) <= 6, counts::toString);
        }
    }

    @Test
    void leastConnectionsSendsTheNextFiftyToTheMemberWhoseConnectionsAllClosed() throws Exception {
        try (PoolFixture f = new PoolFixture(3, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of(b.get(0).uri("/")), Upstream.of(b.get(1).uri("/")), Upstream.of(b.get(2).uri("/")))
                .build())) {
            List<PoolFixture.Served> open = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                open.add(f.open("/ws/echo"));
            }
            Map<String, Integer> counts = count(open.stream().map(PoolFixture.Served::member).toList());
            counts.values().forEach(n -> assertEquals(50, n, counts::toString));
            String emptied = f.member(1);
            open.stream().filter(s -> s.member().equals(emptied)).forEach(s -> s.client().close());
            await().atMost(Duration.ofSeconds(10)).until(() -> f.pool().member(emptied).activeConnections() == 0);
            List<String> next = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                next.add(f.open("/ws/echo").member());
            }
            assertEquals(Map.of(emptied, 50), count(next));
            assertEquals(100, f.pool().member(f.member(0)).activeConnections()
                    + f.pool().member(f.member(2)).activeConnections());
        }
    }

    @Test
    void powerOfTwoChoicesKeepsHeldConnectionsBalanced() throws Exception {
        try (PoolFixture f = new PoolFixture(3, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of(b.get(0).uri("/")), Upstream.of(b.get(1).uri("/")), Upstream.of(b.get(2).uri("/")))
                .balance(Balance.powerOfTwoChoices()).build())) {
            List<String> served = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                served.add(f.open("/ws/echo").member());
            }
            Map<String, Integer> counts = count(served);
            // the two it compares always include one at or below the mean + 1, so none can run far ahead
            counts.values().forEach(n -> assertTrue(n >= 15 && n <= 25, counts::toString));
        }
    }
}
