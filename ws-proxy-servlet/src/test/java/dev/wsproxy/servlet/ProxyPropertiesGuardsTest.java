package dev.wsproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.RateLimit;
import dev.wsproxy.WebSocketProxy;
import java.io.IOException;
import java.io.StringReader;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The properties keys of issue 12's guards: a route's rate limit and the proxy's authorization timeout. */
class ProxyPropertiesGuardsTest {

    private static Properties props(String... lines) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(String.join("\n", lines)));
        return p;
    }

    @Test
    void rateLimitKeysBuildTheRoutesLimit() throws Exception {
        try (WebSocketProxy proxy = ProxyProperties.toProxy(props("routes = api", "route.api.prefix = /ws/",
                "route.api.upstream = ws://api:8080/", "route.api.rate-limit-messages-per-second = 2.5",
                "route.api.rate-limit-bytes-per-second = 64KiB", "route.api.rate-limit-action = close",
                "authorization-timeout = 3s"), "test.properties")) {
            RateLimit limit = proxy.routes().get(0).rateLimit();
            assertEquals(2.5, limit.messagesPerSecond());
            assertEquals(64 * 1024, limit.bytesPerSecond());
            assertEquals(RateLimit.Action.CLOSE, limit.action());
        }
    }

    @Test
    void routeWithoutRateLimitKeysHasNone() throws Exception {
        try (WebSocketProxy proxy = ProxyProperties.toProxy(props("routes = api", "route.api.prefix = /ws/",
                "route.api.upstream = ws://api:8080/"), "test.properties")) {
            assertEquals(RateLimit.NONE, proxy.routes().get(0).rateLimit());
        }
    }

    @Test
    void badValuesNameTheKey() throws Exception {
        String action = assertThrows(IllegalArgumentException.class, () -> ProxyProperties.toBuilder(props(
                "routes = api", "route.api.prefix = /ws/", "route.api.upstream = ws://api:8080/",
                "route.api.rate-limit-action = drop"), "test.properties")).getMessage();
        assertTrue(action.contains("route.api.rate-limit-action must be slow-down or close but was 'drop'"), action);
        String rate = assertThrows(IllegalArgumentException.class, () -> ProxyProperties.toBuilder(props(
                "routes = api", "route.api.prefix = /ws/", "route.api.upstream = ws://api:8080/",
                "route.api.rate-limit-messages-per-second = fast"), "test.properties")).getMessage();
        assertTrue(rate.contains("route.api.rate-limit-messages-per-second must be a number"), rate);
        String timeout = assertThrows(IllegalArgumentException.class, () -> ProxyProperties.toProxy(props(
                "routes = api", "route.api.prefix = /ws/", "route.api.upstream = ws://api:8080/",
                "authorization-timeout = 0s"), "test.properties")).getMessage();
        assertTrue(timeout.contains("authorizationTimeout must be positive"), timeout);
    }
}
