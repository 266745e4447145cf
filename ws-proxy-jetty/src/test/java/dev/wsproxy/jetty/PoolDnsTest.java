package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wsproxy.PoolSettings;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.Upstream;
import dev.wsproxy.testing.Backend;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Member host names are resolved through the pool's resolver, cached for the TTL and resolved again after it;
 * the connection goes to the resolved address while the upstream still sees the name in {@code Host}.
 */
class PoolDnsTest {

    @ParameterizedTest
    @EnumSource(ProxyRoute.RelayMode.class)
    void aNameIsResolvedAgainAfterItsTtl(ProxyRoute.RelayMode mode) throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        // 127.0.0.2 is loopback too, but the backend listens on 127.0.0.1 only: connecting there is refused
        AtomicReference<String> answer = new AtomicReference<>("127.0.0.2");
        try (PoolFixture f = new PoolFixture(1, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of("ws://chat.test:" + b.get(0).port() + "/")).preserveHost(false).relayMode(mode)
                .poolSettings(PoolSettings.builder().dnsTtl(Duration.ofMillis(300)).resolver(host -> {
                    lookups.incrementAndGet();
                    assertEquals("chat.test", host);
                    return List.of(InetAddress.getByName(answer.get()));
                }).build()).build())) {
            assertThrows(AssertionError.class, () -> f.once("/ws/echo"), "502: the name points elsewhere");
            assertEquals(1, lookups.get());
            answer.set("127.0.0.1");
            assertThrows(AssertionError.class, () -> f.once("/ws/echo"), "still cached within the TTL");
            assertEquals(1, lookups.get());
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                try {
                    f.once("/ws/echo");
                    return true;
                } catch (AssertionError refused) {
                    return false;
                }
            });
            assertEquals(2, lookups.get(), "resolved once more after the TTL");
            Backend.Recorded handshake = f.backends.get(0).takeHandshake();
            assertEquals("chat.test:" + f.backends.get(0).port(), handshake.header("Host"));
        }
    }
}
