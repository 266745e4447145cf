package dev.wsproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The consistent hash is a fixed function of key and member URIs: the same choices in every JVM, every run and
 * whatever the members' order (pinned values, so a seeded or {@code String.hashCode}-based hash would fail here).
 */
class PoolHashStabilityTest {

    private static List<String> choices(Upstream... members) {
        try (WebSocketProxy proxy = WebSocketProxy.builder().route(ProxyRoute.prefix("/ws/").upstreams(members)
                .balance(Balance.hashHeader("X-User")).build()).build()) {
            UpstreamPool pool = proxy.pool("/ws/");
            List<String> out = new ArrayList<>();
            for (int k = 0; k < 8; k++) {
                out.add(pool.memberFor("user-" + k).substring("ws://".length(), "ws://".length() + 1));
            }
            return out;
        }
    }

    @Test
    void choicesArePinnedAcrossRunsAndIndependentOfMemberOrder() {
        Upstream a = Upstream.of("ws://a:8080/");
        Upstream b = Upstream.of("ws://b:8080/");
        Upstream c = Upstream.of("ws://c:8080/");
        List<String> pinned = choices(a, b, c);
        assertEquals(PINNED, String.join("", pinned));
        assertEquals(pinned, choices(c, a, b));
    }

    private static final String PINNED = "baabaacc";
}
