package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.Balance;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.Upstream;
import dev.wsproxy.UpstreamPool;
import dev.wsproxy.WebSocketProxy;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Consistent hashing: a key keeps its member across reconnects and across proxy instances, and membership changes
 * move only the keys they must.
 */
class PoolHashTest {

    private static Upstream[] members(int n) {
        return IntStream.range(0, n).mapToObj(i -> Upstream.of("ws://chat-" + i + ".internal:8080/"))
                .toArray(Upstream[]::new);
    }

    private static UpstreamPool pool(Balance balance, Upstream... members) {
        try (WebSocketProxy proxy = WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstreams(members).balance(balance).build()).build()) {
            return proxy.pool("/ws/"); // choosing needs no threads: the pool answers after close
        }
    }

    private static void sameMemberForOneKey(PoolFixture f, String path, String... headers) throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            seen.add(f.once(path, headers));
        }
        assertEquals(1, seen.size(), seen::toString);
    }

    /** Different keys do reach different members (so "always the same member" is the key's doing). */
    private static void keysSpread(PoolFixture f, java.util.function.IntFunction<String[]> request) throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            String[] pathAndHeaders = request.apply(i);
            seen.add(f.once(pathAndHeaders[0], java.util.Arrays.copyOfRange(pathAndHeaders, 1, pathAndHeaders.length)));
        }
        assertEquals(3, seen.size(), seen::toString);
    }

    private static PoolFixture fixture(Balance balance) throws Exception {
        return new PoolFixture(3, b -> ProxyRoute.prefix("/ws/")
                .upstreams(Upstream.of(b.get(0).uri("/")), Upstream.of(b.get(1).uri("/")), Upstream.of(b.get(2).uri("/")))
                .trustedProxies("127.0.0.1").balance(balance).build());
    }

    @Test
    void headerKeyKeepsItsMemberAcrossReconnects() throws Exception {
        try (PoolFixture f = fixture(Balance.hashHeader("X-User"))) {
            sameMemberForOneKey(f, "/ws/echo", "X-User", "alice");
            keysSpread(f, i -> new String[] {"/ws/echo", "X-User", "user-" + i});
            assertEquals(f.pool().memberFor("alice"), f.once("/ws/echo", "X-User", "alice"));
        }
    }

    @Test
    void cookieKeyKeepsItsMemberAcrossReconnects() throws Exception {
        try (PoolFixture f = fixture(Balance.hashCookie("sid"))) {
            sameMemberForOneKey(f, "/ws/echo", "Cookie", "theme=dark; sid=s-42");
            keysSpread(f, i -> new String[] {"/ws/echo", "Cookie", "sid=s-" + i});
            assertEquals(f.pool().memberFor("s-42"), f.once("/ws/echo", "Cookie", "sid=s-42"));
        }
    }

    @Test
    void queryKeyKeepsItsMemberAcrossReconnects() throws Exception {
        try (PoolFixture f = fixture(Balance.hashQueryParameter("room"))) {
            sameMemberForOneKey(f, "/ws/echo?x=1&room=lobby");
            keysSpread(f, i -> new String[] {"/ws/echo?room=r" + i});
            assertEquals(f.pool().memberFor("lobby"), f.once("/ws/echo?room=lobby"));
        }
    }

    @Test
    void clientAddressKeyIsTheForwardedClientBehindATrustedProxy() throws Exception {
        try (PoolFixture f = fixture(Balance.hashClientAddress())) {
            sameMemberForOneKey(f, "/ws/echo", "X-Forwarded-For", "203.0.113.7");
            keysSpread(f, i -> new String[] {"/ws/echo", "X-Forwarded-For", "203.0.113." + i});
            assertEquals(f.pool().memberFor("203.0.113.9"), f.once("/ws/echo", "X-Forwarded-For", "203.0.113.9"));
        }
    }

    @Test
    void pathCaptureKeyKeepsARoomOnOneMember() throws Exception {
        try (PoolFixture f = new PoolFixture(3, b -> ProxyRoute.regex("^/ws/room/([^/]+)/(.*)$")
                .upstreams(Upstream.of(b.get(0).uri("/$2")), Upstream.of(b.get(1).uri("/$2")),
                        Upstream.of(b.get(2).uri("/$2")))
                .balance(Balance.hashPathCapture(1)).build())) {
            UpstreamPool pool = f.proxy.pool("^/ws/room/([^/]+)/(.*)$");
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                seen.add(f.once("/ws/room/blue/echo"));
            }
            assertEquals(Set.of(pool.memberFor("blue")), seen);
        }
    }

    @Test
    void twoProxyInstancesAgreeOnAThousandKeys() {
        UpstreamPool one = pool(Balance.hashHeader("X-User"), members(5));
        UpstreamPool two = pool(Balance.hashHeader("X-User"), members(5));
        Set<String> used = new HashSet<>();
        for (int k = 0; k < 1000; k++) {
            assertEquals(one.memberFor("user-" + k), two.memberFor("user-" + k), "user-" + k);
            used.add(one.memberFor("user-" + k));
        }
        assertEquals(5, used.size());
    }

    @Test
    void removingOneOfFourMovesOnlyItsKeysAndAddingAFifthMovesAboutAFifth() {
        Upstream[] four = members(4);
        UpstreamPool before = pool(Balance.hashCookie("sid"), four);
        UpstreamPool withoutLast = pool(Balance.hashCookie("sid"), four[0], four[1], four[2]);
        UpstreamPool withFifth = pool(Balance.hashCookie("sid"), members(5));
        int moved = 0;
        int removedKeys = 0;
        for (int k = 0; k < 1000; k++) {
            String key = "session-" + k;
            String was = before.memberFor(key);
            if (was.equals(four[3].uri())) {
                removedKeys++;
            } else {
                assertEquals(was, withoutLast.memberFor(key), key + " moved although its member stayed");
            }
            if (!withFifth.memberFor(key).equals(was)) {
                moved++;
                assertEquals("ws://chat-4.internal:8080/", withFifth.memberFor(key), key + " moved between old members");
            }
        }
        assertTrue(removedKeys > 150 && removedKeys < 350, "the removed member held " + removedKeys);
        assertTrue(moved > 140 && moved < 260, "adding a fifth member moved " + moved + " of 1000 keys");
    }

    @Test
    void weightedMemberHoldsItsShareOfKeys() {
        UpstreamPool pool = pool(Balance.hashHeader("X-User"), Upstream.of("ws://a:1/"), Upstream.of("ws://b:1/").weight(3));
        long toB = IntStream.range(0, 2000).filter(k -> pool.memberFor("u" + k).equals("ws://b:1/")).count();
        assertTrue(toB > 1350 && toB < 1650, "weight 3 of 4 got " + toB + " of 2000 keys");
        assertEquals(List.of("ws://a:1/", "ws://b:1/"), pool.members().stream().map(m -> m.uri()).toList());
    }
}
