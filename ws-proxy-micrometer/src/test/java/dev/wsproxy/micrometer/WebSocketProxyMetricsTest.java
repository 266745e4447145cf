package dev.wsproxy.micrometer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.jetty.JettyProxyServer;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The proxy's meters in a Micrometer registry, from real connections through a real proxy. */
class WebSocketProxyMetricsTest {

    @Test
    void metersAppearInTheRegistryWithRouteAndUpstreamTags() throws Exception {
        try (Backend backend = Backend.start();
             WebSocketProxy proxy = WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).build();
             JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new WebSocketProxyMetrics(proxy, Tags.of("proxy", "edge")).bindTo(registry); // before any traffic
            URI up = URI.create(backend.uri("/"));
            String upstream = up.getHost() + ":" + up.getPort();

            TestClient client = TestClient.connect("ws://127.0.0.1:" + server.port() + "/ws/echo");
            client.sendText("hello");
            assertEquals("hello", client.next().asText());
            await().atMost(Duration.ofSeconds(10)).until(() -> registry.find("wsproxy.bytes")
                    .tags("direction", "upstream_to_client").functionCounter() != null
                    && registry.get("wsproxy.bytes").tags("direction", "upstream_to_client").functionCounter()
                    .count() == 5);
            assertEquals(1, registry.get("wsproxy.connections.active")
                    .tags("route", "/ws/", "upstream", upstream, "proxy", "edge").gauge().value());
            client.close(1000, "done");
            client.awaitClose(Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(10)).until(() -> registry.get("wsproxy.connections.closed")
                    .functionCounter().count() == 1);

            assertEquals(1, registry.get("wsproxy.handshakes").tags("status", "101", "outcome", "upgraded")
                    .functionCounter().count());
            assertEquals(1, registry.get("wsproxy.closes").tags("ended_by", "client", "code", "1000", "cause", "close")
                    .functionCounter().count());
            assertEquals(1, registry.get("wsproxy.messages").tags("direction", "client_to_upstream")
                    .functionCounter().count());
            FunctionTimer connect = registry.get("wsproxy.upstream.connect").tags("route", "/ws/").functionTimer();
            assertEquals(1, connect.count());
            assertTrue(connect.totalTime(TimeUnit.NANOSECONDS) > 0);
            assertNotNull(registry.get("wsproxy.upstream.connect.max").timeGauge());
            assertEquals(0, registry.get("wsproxy.connections.active").gauge().value());
        }
    }
}
