package dev.wsproxy.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.Balance;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.Upstream;
import dev.wsproxy.WebSocketProxy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The starter's upstream-pool properties reach the route; bad ones name their key. */
class StarterPoolPropertiesTest {

    private static WebSocketProxyProperties properties(WebSocketProxyProperties.Route route) {
        WebSocketProxyProperties properties = new WebSocketProxyProperties();
        properties.getRoutes().add(route);
        return properties;
    }

    @Test
    void everyPoolPropertyReachesTheRoute() {
        WebSocketProxyProperties.Route route = new WebSocketProxyProperties.Route();
        route.setPrefix("/ws/");
        route.setUpstreams(List.of("ws://a:8080/", "ws://b:8080/ weight=2", "ws://c:8080/ backup max-connections=9"));
        route.setBalance("hash:header:X-User");
        route.setMaxFails(2);
        route.setFailTimeout(Duration.ofSeconds(20));
        route.setMaxAttempts(2);
        route.setAttemptTimeout(Duration.ofSeconds(1));
        route.setDnsTtl(Duration.ofSeconds(3));
        route.setHealthCheck("websocket");
        route.setHealthCheckInterval(Duration.ofHours(1));
        route.setHealthCheckTimeout(Duration.ofSeconds(1));
        route.setHealthCheckRise(1);
        route.setHealthCheckFall(5);
        try (WebSocketProxy proxy = PropertiesToProxy.build(properties(route), List.of())) {
            ProxyRoute built = proxy.routes().get(0);
            assertEquals(List.of(Upstream.of("ws://a:8080/"), Upstream.of("ws://b:8080/").weight(2),
                    Upstream.of("ws://c:8080/").backup().maxConnections(9)), built.upstreams());
            assertEquals(Balance.hashHeader("X-User"), built.balance());
            assertEquals(2, built.poolSettings().maxFails());
            assertEquals(Duration.ofSeconds(20), built.poolSettings().failTimeout());
            assertEquals(2, built.poolSettings().maxAttempts());
            assertEquals(Duration.ofSeconds(1), built.poolSettings().attemptTimeout());
            assertEquals(Duration.ofSeconds(3), built.poolSettings().dnsTtl());
            assertEquals(null, built.poolSettings().healthCheck().httpPath());
            assertEquals(5, built.poolSettings().healthCheck().fall());
        }
    }

    @Test
    void aBadMemberOrBalanceNamesItsKey() {
        WebSocketProxyProperties.Route route = new WebSocketProxyProperties.Route();
        route.setPrefix("/ws/");
        route.setUpstreams(List.of("ws://a:8080/", "ws://b:8080/ heavy"));
        String message = assertThrows(IllegalArgumentException.class,
                () -> PropertiesToProxy.build(properties(route), List.of())).getMessage();
        assertTrue(message.contains("ws-proxy.routes[0].upstreams[1]") && message.contains("'heavy'"), message);
        route.setUpstreams(List.of("ws://a:8080/"));
        route.setBalance("sticky");
        message = assertThrows(IllegalArgumentException.class,
                () -> PropertiesToProxy.build(properties(route), List.of())).getMessage();
        assertTrue(message.contains("ws-proxy.routes[0].balance") && message.contains("'sticky'"), message);
    }

    @Test
    void expandAddressesReachesTheRoute() {
        WebSocketProxyProperties.Route route = new WebSocketProxyProperties.Route();
        route.setPrefix("/ws/");
        route.setUpstreams(List.of("ws://localhost:8080/ expand-addresses backup", "ws://127.0.0.1:9090/"));
        try (WebSocketProxy proxy = PropertiesToProxy.build(properties(route), List.of())) {
            assertEquals(List.of(Upstream.of("ws://localhost:8080/").expandAddresses().backup(),
                    Upstream.of("ws://127.0.0.1:9090/")), proxy.routes().get(0).upstreams());
        }
    }
}
