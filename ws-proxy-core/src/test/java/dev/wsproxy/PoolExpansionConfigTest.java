package dev.wsproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link Upstream#expandAddresses()}: its spelling, the combinations {@code build()} refuses, and a consistent
 * hash over expanded members that is a function of the address set alone (not of the resolver's order).
 */
class PoolExpansionConfigTest {

    private static void fails(Supplier<?> build, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + fragment + "' not in: " + e.getMessage());
        }
    }

    @Test
    void propertiesSpellingRoundTrips() {
        Upstream parsed = Upstream.parse("ws://chat:8080/ weight=2 expand-addresses");
        assertTrue(parsed.expandsAddresses());
        assertEquals(2, parsed.weight());
        assertEquals("ws://chat:8080/ weight=2 expand-addresses", parsed.toString());
        assertEquals(parsed, Upstream.parse(parsed.toString()));
        assertTrue(!Upstream.of("ws://chat:8080/").expandsAddresses(), "off by default");
        fails(() -> Upstream.parse("ws://chat:8080/ expand"), "'expand'", "expand-addresses");
    }

    @Test
    void anIpLiteralCannotBeExpanded() {
        fails(() -> ProxyRoute.prefix("/ws/").upstreams(Upstream.of("ws://10.0.0.5:8080/").expandAddresses()).build(),
                "'ws://10.0.0.5:8080/'", "expandAddresses()", "is an IP address", "drop .expandAddresses()");
        fails(() -> ProxyRoute.prefix("/ws/").upstreams(Upstream.of("ws://[::1]:8080/").expandAddresses()).build(),
                "is an IP address");
    }

    @Test
    void anHttpsHealthCheckCannotReachOneAddress() {
        PoolSettings https = PoolSettings.builder().healthCheck(HealthCheck.http("/health", Duration.ofSeconds(5)))
                .build();
        fails(() -> ProxyRoute.prefix("/ws/").upstreams(Upstream.of("wss://chat:8443/").expandAddresses())
                .poolSettings(https).build(), "'wss://chat:8443/'", "HTTPS GET of '/health'",
                "use HealthCheck.webSocket(...)");
        // plain HTTP checks each address; a WebSocket check over TLS verifies the name at each address
        ProxyRoute.prefix("/ws/").upstreams(Upstream.of("ws://chat:8080/").expandAddresses()).poolSettings(https)
                .build();
        ProxyRoute.prefix("/ws/").upstreams(Upstream.of("wss://chat:8443/").expandAddresses()).poolSettings(
                PoolSettings.builder().healthCheck(HealthCheck.webSocket(Duration.ofSeconds(5))).build()).build();
    }

    @Test
    void messageModeCannotConnectAWssNameToOneAddress() {
        fails(() -> ProxyRoute.prefix("/ws/").upstreams(Upstream.of("wss://chat:8443/").expandAddresses())
                .relayMode(ProxyRoute.RelayMode.MESSAGE).build(), "'wss://chat:8443/'", "MESSAGE mode",
                "relayMode(RelayMode.TUNNEL)", "drop .expandAddresses()");
        ProxyRoute.prefix("/ws/").upstreams(Upstream.of("ws://chat:8080/").expandAddresses())
                .relayMode(ProxyRoute.RelayMode.MESSAGE).build();
    }

    private static List<String> choices(int keys, String... addresses) {
        UpstreamResolver resolver = host -> {
            List<InetAddress> out = new ArrayList<>();
            for (String a : addresses) {
                out.add(InetAddress.getByName(a));
            }
            return out;
        };
        try (WebSocketProxy proxy = WebSocketProxy.builder().route(ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of("ws://chat:8080/").expandAddresses()).balance(Balance.hashHeader("X-User"))
                .poolSettings(PoolSettings.builder().resolver(resolver).build()).build()).build()) {
            List<String> out = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                String member = proxy.pool("/ws/").memberFor("user-" + k);
                out.add(member.substring(member.indexOf('(')));
            }
            return out;
        }
    }

    @Test
    void sameKeyAndSameAddressesPickTheSameMemberEverywhere() {
        List<String> pinned = choices(6, "10.0.0.1", "10.0.0.2", "10.0.0.3");
        assertEquals(PINNED, pinned, "a fixed function of key and member name, in every JVM and run");
        List<String> some = choices(1000, "10.0.0.1", "10.0.0.2", "10.0.0.3");
        assertEquals(some, choices(1000, "10.0.0.3", "10.0.0.1", "10.0.0.2"), "whatever order the resolver answers");
        List<String> fewer = choices(1000, "10.0.0.1", "10.0.0.2");
        int moved = 0;
        for (int k = 0; k < 1000; k++) {
            if (!some.get(k).equals("(10.0.0.3)")) {
                assertEquals(some.get(k), fewer.get(k), "only the removed address's keys move");
            } else {
                moved++;
            }
        }
        assertTrue(moved > 250 && moved < 420, "about a third moved: " + moved);
    }

    private static final List<String> PINNED = List.of("(10.0.0.2)", "(10.0.0.1)", "(10.0.0.2)", "(10.0.0.3)",
            "(10.0.0.2)", "(10.0.0.3)");
}
