package dev.wsproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.Balance;
import dev.wsproxy.PoolSettings;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.Upstream;
import dev.wsproxy.WebSocketProxy;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Every pool setting has a key in ws-proxy.properties; bad values name the key and the fix. */
class PoolPropertiesTest {

    private static Properties props(String... lines) throws Exception {
        Properties p = new Properties();
        p.load(new StringReader(String.join("\n", lines)));
        return p;
    }

    @Test
    void everyPoolSettingHasAKey() throws Exception {
        try (WebSocketProxy proxy = ProxyProperties.toProxy(props("routes = chat",
                "route.chat.prefix = /ws/chat/",
                "route.chat.upstreams = ws://chat-1:8080/, ws://chat-2:8080/ weight=2 max-connections=50,"
                        + " ws://chat-3:8080/ backup",
                "route.chat.balance = hash:cookie:sid",
                "route.chat.max-fails = 3",
                "route.chat.fail-timeout = 30s",
                "route.chat.max-attempts = 2",
                "route.chat.attempt-timeout = 2s",
                "route.chat.dns-ttl = 5s",
                "route.chat.health-check = http:/health",
                "route.chat.health-check-interval = 10s",
                "route.chat.health-check-timeout = 1s",
                "route.chat.health-check-rise = 1",
                "route.chat.health-check-fall = 4"), "test.properties")) {
            ProxyRoute route = proxy.routes().get(0);
            assertEquals(List.of(Upstream.of("ws://chat-1:8080/"), Upstream.of("ws://chat-2:8080/").weight(2)
                    .maxConnections(50), Upstream.of("ws://chat-3:8080/").backup()), route.upstreams());
            assertEquals(Balance.hashCookie("sid"), route.balance());
            PoolSettings s = route.poolSettings();
            assertEquals(3, s.maxFails());
            assertEquals(Duration.ofSeconds(30), s.failTimeout());
            assertEquals(2, s.maxAttempts());
            assertEquals(Duration.ofSeconds(2), s.attemptTimeout());
            assertEquals(Duration.ofSeconds(5), s.dnsTtl());
            assertEquals("/health", s.healthCheck().httpPath());
            assertEquals(Duration.ofSeconds(10), s.healthCheck().interval());
            assertEquals(Duration.ofSeconds(1), s.healthCheck().timeout());
            assertEquals(1, s.healthCheck().rise());
            assertEquals(4, s.healthCheck().fall());
        }
    }

    @Test
    void badPoolValuesNameTheKeyAndTheFix() throws Exception {
        String[] base = {"routes = a", "route.a.prefix = /ws/"};
        assertTrue(error(base, "route.a.upstreams = ws://a:1/ heavy").contains("unknown attribute 'heavy'"));
        assertTrue(error(base, "route.a.upstreams = ws://a:1/", "route.a.balance = sticky")
                .contains("route.a.balance"));
        assertTrue(error(base, "route.a.upstreams = ws://a:1/ weight=0").contains("weight must be at least 1"));
        assertTrue(error(base, "route.a.upstreams = ws://a:1/", "route.a.health-check-rise = 2")
                .contains("route.a.health-check = websocket or http:/health"));
        assertTrue(error(base, "route.a.upstreams = ws://a:1/", "route.a.health-check = tcp")
                .contains("websocket or http:<path>"));
        assertTrue(error(base, "route.a.upstream = ws://a:1/", "route.a.balanse = round-robin")
                .contains("route.a.balance"));
    }

    private static String error(String[] base, String... more) throws Exception {
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        Properties p = props(all);
        return assertThrows(IllegalArgumentException.class, () -> ProxyProperties.toBuilder(p, "test.properties"))
                .getMessage();
    }

    @Test
    void expandAddressesIsAMemberAttribute() throws Exception {
        // localhost: the pool resolves expanded names at start, and the system resolver answers it from the hosts file
        try (WebSocketProxy proxy = ProxyProperties.toProxy(props("routes = feed",
                "route.feed.prefix = /ws/feed/",
                "route.feed.upstreams = ws://localhost:8080/ weight=2 expand-addresses, ws://127.0.0.1:9090/"),
                "test.properties")) {
            assertEquals(List.of(Upstream.of("ws://localhost:8080/").weight(2).expandAddresses(),
                    Upstream.of("ws://127.0.0.1:9090/")), proxy.routes().get(0).upstreams());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProxyProperties.toProxy(
                props("routes = feed", "route.feed.prefix = /ws/feed/",
                        "route.feed.upstreams = ws://10.0.0.5:8080/ expand-addresses"), "test.properties"));
        assertTrue(e.getMessage().contains("is an IP address") && e.getMessage().contains("drop .expandAddresses()"),
                e.getMessage());
    }
}
