package dev.wsproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Bad pool configuration fails {@code build()} with a message that names the field, the value and the fix. */
class PoolConfigTest {

    private static void fails(Supplier<?> build, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + fragment + "' not in: " + e.getMessage());
        }
    }

    @Test
    void noMembersNamesTheFix() {
        fails(() -> ProxyRoute.prefix("/ws/").upstreams().build(), "no members in upstreams()", "Upstream.of(");
        fails(() -> ProxyRoute.prefix("/ws/").build(), "has no upstream", ".upstream(\"ws://host:port/\")");
    }

    @Test
    void weightZeroNamesTheMemberAndTheFix() {
        fails(() -> ProxyRoute.prefix("/ws/").upstreams(Upstream.of("ws://a:1/").weight(0)).build(),
                "'ws://a:1/'", "weight 0", "at least 1", "drain it at runtime");
    }

    @Test
    void unknownBalanceKeyNamesTheSpellings() {
        fails(() -> Balance.parse("hash:ip"), "'hash:ip'", "hash:client-address", "hash:cookie:<name>");
        fails(() -> Balance.parse("random"), "'random'", "least-connections");
        fails(() -> ProxyRoute.prefix("/ws/").upstream("ws://a:1/").balance(Balance.hashHeader(" ")).build(),
                "invalid name", "Balance.hashCookie(\"sid\")");
        fails(() -> ProxyRoute.prefix("/ws/").upstream("ws://a:1/").balance(Balance.hashPathCapture(1)).build(),
                "needs a regex route");
        fails(() -> ProxyRoute.regex("^/ws/(.*)$").upstream("ws://a:1/$1").balance(Balance.hashPathCapture(2)).build(),
                "group 2", "has 1", "from 1 to 1");
    }

    @Test
    void duplicateMemberNamesTheFix() {
        fails(() -> ProxyRoute.prefix("/ws/").upstreams(Upstream.of("ws://a:1/"), Upstream.of("WS://a:1/")).build(),
                "listed twice", "give it a weight");
    }

    @Test
    void membersMustShareThePathAndHaveAPrimary() {
        fails(() -> ProxyRoute.prefix("/ws/").upstreams(Upstream.of("ws://a:1/x/"), Upstream.of("ws://b:1/y/")).build(),
                "share one path", "'/x/'", "'/y/'");
        fails(() -> ProxyRoute.prefix("/ws/").upstreams(Upstream.of("ws://a:1/").backup()).build(),
                "only backup upstreams");
        fails(() -> ProxyRoute.prefix("/ws/").upstreams(Upstream.of("http://a:1/")).build(), "use ws://a:1/");
        fails(() -> ProxyRoute.prefix("/ws/").upstream("ws://a:1/").upstreams(Upstream.of("ws://b:1/")).build(),
                "both upstream");
    }

    @Test
    void badPoolSettingsNameTheField() {
        fails(() -> PoolSettings.builder().maxFails(-1).build(), "maxFails", "-1");
        fails(() -> PoolSettings.builder().failTimeout(Duration.ZERO).build(), "failTimeout must be positive");
        fails(() -> PoolSettings.builder().healthCheck(HealthCheck.http("health", Duration.ofSeconds(1))).build(),
                "'/health'");
        fails(() -> PoolSettings.builder().healthCheck(HealthCheck.webSocket(Duration.ofSeconds(1)).rise(0)).build(),
                "rise and fall");
    }

    @Test
    void aPoolRouteRoundTripsThroughToBuilderAndBalanceThroughItsSpelling() {
        ProxyRoute route = ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of("ws://a:1/"), Upstream.of("ws://b:1/").weight(2).maxConnections(5),
                        Upstream.of("ws://c:1/").backup())
                .balance(Balance.hashCookie("sid")).poolSettings(PoolSettings.builder().maxFails(3).build()).build();
        ProxyRoute copy = route.toBuilder().build();
        assertEquals(route.upstreams(), copy.upstreams());
        assertEquals(Balance.hashCookie("sid"), copy.balance());
        assertEquals(3, copy.poolSettings().maxFails());
        assertEquals("ws://a:1/", route.upstream().toString());
        assertEquals(List.of(Upstream.of("ws://x:1/")), ProxyRoute.prefix("/ws/").upstream("ws://x:1/").build()
                .upstreams());
        for (String spelling : List.of("least-connections", "round-robin", "power-of-two-choices",
                "hash:client-address", "hash:header:X-User", "hash:cookie:sid", "hash:query:room", "hash:path:1")) {
            assertEquals(spelling, Balance.parse(spelling).toString());
        }
    }
}
