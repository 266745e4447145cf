package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyMetrics;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.ProxyRoute.RelayMode;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The metrics of real connections through a real proxy, in both relay modes. */
class MetricsTest {

    @ParameterizedTest
    @EnumSource(RelayMode.class)
    void bothRelayModesFeedTheSameMeters(RelayMode mode) throws Exception {
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).relayMode(mode).build()).build())) {
            String upstream = upstreamOf(f.backend);
            TestClient client = TestClient.connect(f.uri("/ws/echo"));
            client.sendText("hello");
            assertEquals("hello", client.next().asText());
            // counted while the connection is open (summed at read time)
            await().atMost(Duration.ofSeconds(10)).until(() -> value(f.proxy, "wsproxy.messages",
                    "direction", "upstream_to_client") == 1);
            assertEquals(1, value(f.proxy, "wsproxy.connections.active", "route", "/ws/", "upstream", upstream));
            client.sendBinaryFragments(new byte[3], new byte[4]);
            assertEquals(7, client.next().data.length);
            client.close(4000, "bye");
            client.awaitClose(Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(10)).until(() -> value(f.proxy, "wsproxy.connections.closed") == 1);

            assertEquals(0, value(f.proxy, "wsproxy.connections.active"));
            assertEquals(1, value(f.proxy, "wsproxy.connections.opened", "route", "/ws/", "upstream", upstream));
            for (String direction : new String[] {"client_to_upstream", "upstream_to_client"}) {
                assertEquals(2, value(f.proxy, "wsproxy.messages", "direction", direction), direction);
                assertEquals(12, value(f.proxy, "wsproxy.bytes", "direction", direction), direction);
                assertEquals(7, value(f.proxy, "wsproxy.message.largest", "direction", direction), direction);
                assertTrue(value(f.proxy, "wsproxy.frames", "direction", direction) >= 2, direction);
            }
            if (mode == RelayMode.TUNNEL) {
                assertEquals(3, value(f.proxy, "wsproxy.frames", "direction", "client_to_upstream"));
            }
            assertEquals(1, value(f.proxy, "wsproxy.handshakes", "status", "101", "outcome", "upgraded"));
            assertEquals(1, value(f.proxy, "wsproxy.closes", "ended_by", "client", "code", "4000", "cause", "close"));
            assertEquals(1, timerCount(f.proxy, "wsproxy.upstream.connect"));
            assertEquals(1, timerCount(f.proxy, "wsproxy.connection.duration"));
        }
    }

    @Test
    void refusalsAreCountedByStatusAndOutcome() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String down = "ws://127.0.0.1:" + closedPort + "/";
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/down/").upstream(down).build())
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).allowedOrigins("https://good.example")
                        .build()).build())) {
            assertEquals(502, assertThrows(TestClient.HandshakeFailed.class,
                    () -> TestClient.connect(f.uri("/down/echo"))).status);
            assertEquals(403, assertThrows(TestClient.HandshakeFailed.class,
                    () -> TestClient.connect(f.uri("/ws/echo"), "Origin", "https://evil.example")).status);
            assertEquals(1, value(f.proxy, "wsproxy.handshakes", "route", "/down/", "upstream",
                    "127.0.0.1:" + closedPort, "status", "502", "outcome", "upstream"));
            assertEquals(1, value(f.proxy, "wsproxy.handshakes", "route", "/ws/", "status", "403", "outcome",
                    "refused"));
            assertEquals(0, value(f.proxy, "wsproxy.connections.opened"));
        }
    }

    @Test
    void closesAreTaggedWithWhoEndedThemAndWhy() throws Exception {
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                .route(ProxyRoute.prefix("/idle/").upstream(backend.uri("/")).relayMode(RelayMode.MESSAGE)
                        .idleTimeout(Duration.ofMillis(300)).build())
                .route(ProxyRoute.prefix("/small/").upstream(backend.uri("/")).maxMessageSize(10).build())
                .build())) {
            TestClient byUpstream = TestClient.connect(f.uri("/ws/control"));
            byUpstream.sendText("close 4001 upstream says bye");
            assertEquals(4001, byUpstream.awaitClose(Duration.ofSeconds(10)).code);
            TestClient idle = TestClient.connect(f.uri("/idle/echo"));
            assertEquals(1001, idle.awaitClose(Duration.ofSeconds(10)).code);
            TestClient tooBig = TestClient.connect(f.uri("/small/echo"));
            tooBig.sendText("more than ten bytes");
            assertEquals(1009, tooBig.awaitClose(Duration.ofSeconds(10)).code);
            TestClient lost = TestClient.connect(f.uri("/ws/echo"));
            await().atMost(Duration.ofSeconds(10)).until(() -> value(f.proxy, "wsproxy.connections.opened") == 4);
            lost.abort();
            await().atMost(Duration.ofSeconds(10)).until(() -> value(f.proxy, "wsproxy.connections.closed") == 4);
            assertEquals(1, value(f.proxy, "wsproxy.closes", "route", "/small/", "ended_by", "proxy", "code", "1009",
                    "cause", "too_big"));
            assertEquals(1, value(f.proxy, "wsproxy.closes", "route", "/ws/", "ended_by", "client", "code", "1006",
                    "cause", "lost"));
            assertEquals(1, value(f.proxy, "wsproxy.closes", "route", "/ws/", "ended_by", "upstream", "code", "4001",
                    "cause", "close"));
            assertEquals(1, value(f.proxy, "wsproxy.closes", "route", "/idle/", "ended_by", "proxy", "code", "1001",
                    "cause", "idle"));
        }
    }

    @ParameterizedTest
    @EnumSource(RelayMode.class)
    void aLostClientIsCountedAsLostWithCode1006(RelayMode mode) throws Exception {
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).relayMode(mode).build()).build())) {
            TestClient lost = TestClient.connect(f.uri("/ws/echo"));
            await().atMost(Duration.ofSeconds(10)).until(() -> value(f.proxy, "wsproxy.connections.opened") == 1);
            lost.abort();
            await().atMost(Duration.ofSeconds(10)).until(() -> value(f.proxy, "wsproxy.connections.closed") == 1);
            assertEquals(1, value(f.proxy, "wsproxy.closes", "ended_by", "client", "code", "1006", "cause", "lost"));
        }
    }

    @ParameterizedTest
    @EnumSource(RelayMode.class)
    void keepalivePingRoundTripsAreTimedPerSide(RelayMode mode) throws Exception {
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).relayMode(mode)
                        .pingInterval(Duration.ofMillis(200)).build()).build());
             TestClient client = TestClient.connect(f.uri("/ws/echo"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> timerCount(f.proxy, "wsproxy.ping.rtt", "side", "client")
                    > 0 && timerCount(f.proxy, "wsproxy.ping.rtt", "side", "upstream") > 0);
            ProxyMetrics.Meter rtt = meter(f.proxy, "wsproxy.ping.rtt", "side", "client");
            assertTrue(rtt.maxSeconds() > 0 && rtt.maxSeconds() < 10, rtt.toString());
        }
    }

    @Test
    void jmxShowsRouteAndUpstreamMBeansUntilTheProxyCloses() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName route = new ObjectName("dev.wsproxy:type=Route,name=\"/ws/\"");
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).jmx(true).build())) {
            ObjectName upstream = new ObjectName("dev.wsproxy:type=Upstream,name=" + ObjectName.quote(
                    upstreamOf(f.backend)));
            assertTrue(server.isRegistered(route));
            try (TestClient client = TestClient.connect(f.uri("/ws/echo"))) {
                client.sendText("hi");
                client.next();
                await().atMost(Duration.ofSeconds(10)).until(() -> server.isRegistered(upstream));
                assertEquals(1L, server.getAttribute(route, "connections.active"));
                assertEquals(1L, server.getAttribute(upstream, "connections.opened"));
                assertEquals(2L, server.getAttribute(route, "bytes.client_to_upstream"));
                assertEquals(1L, server.getAttribute(route, "handshakes.101.upgraded"));
                assertEquals(1L, server.getAttribute(route, "upstream.connect.count"));
            }
            f.proxy.close();
            assertFalse(server.isRegistered(route));
            assertFalse(server.isRegistered(upstream));
        }
    }

    @Test
    void metricsOffLeavesNoMetersAndStillRelays() throws Exception {
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).metrics(false).jmx(true).build());
             TestClient client = TestClient.connect(f.uri("/ws/echo"))) {
            client.sendText("hi");
            assertEquals("hi", client.next().asText());
            assertEquals(0, f.proxy.metrics().meters().size());
            assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(
                    new ObjectName("dev.wsproxy:type=Route,name=\"/ws/\"")));
        }
    }

    static String upstreamOf(Backend backend) {
        URI uri = URI.create(backend.uri("/"));
        return uri.getHost() + ":" + uri.getPort();
    }

    /** The sum of the meters with that name whose tags include the given pairs. */
    static double value(WebSocketProxy proxy, String name, String... tags) {
        return proxy.metrics().meters().stream().filter(m -> matches(m, name, tags))
                .mapToDouble(ProxyMetrics.Meter::value).sum();
    }

    static long timerCount(WebSocketProxy proxy, String name, String... tags) {
        return proxy.metrics().meters().stream().filter(m -> matches(m, name, tags))
                .mapToLong(ProxyMetrics.Meter::count).sum();
    }

    static ProxyMetrics.Meter meter(WebSocketProxy proxy, String name, String... tags) {
        return proxy.metrics().meters().stream().filter(m -> matches(m, name, tags)).findFirst()
                .orElseThrow(() -> new AssertionError("no meter " + name + " in " + proxy.metrics().meters()));
    }

    private static boolean matches(ProxyMetrics.Meter m, String name, String... tags) {
        if (!m.name().equals(name)) {
            return false;
        }
        for (int i = 0; i < tags.length; i += 2) {
            if (!tags[i + 1].equals(m.tags().get(tags[i]))) {
                return false;
            }
        }
        return true;
    }
}
