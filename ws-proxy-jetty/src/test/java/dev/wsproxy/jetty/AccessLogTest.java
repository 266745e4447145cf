package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.ProxyRoute.RelayMode;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.TestClient;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The access log lines of real connections and refusals, read back from the log output. */
class AccessLogTest {

    private static final Pattern KEY_VALUE_LINE = Pattern.compile(
            "time=\\S+ event=close id=ws-\\w+ client=127\\.0\\.0\\.1 route=/ws/ upstream=127\\.0\\.0\\.1:\\d+"
            + " path=/ws/echo subprotocol=- mode=(tunnel|message) duration_ms=\\d+ c2u_messages=2 c2u_bytes=9"
            + " u2c_messages=2 u2c_bytes=9 client_close=4000 client_reason=\"bye now\" upstream_close=4000"
            + " upstream_reason=\"bye now\" ended_by=client cause=close");

    @ParameterizedTest
    @EnumSource(RelayMode.class)
    void oneKeyValueLinePerConnectionAtItsEnd(RelayMode mode) throws Exception {
        try (AccessLogCapture log = new AccessLogCapture();
             ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).relayMode(mode).build()).build())) {
            TestClient client = TestClient.connect(f.uri("/ws/echo"));
            client.sendText("hello");
            client.next();
            client.sendText("four");
            client.next();
            client.close(4000, "bye now");
            client.awaitClose(Duration.ofSeconds(10));
            String line = log.next("event=close", "mode=" + mode.name().toLowerCase(java.util.Locale.ROOT));
            assertTrue(KEY_VALUE_LINE.matcher(line).matches(), line);
            assertTrue(line.contains("upstream=" + MetricsTest.upstreamOf(f.backend)), line);
        }
    }

    @Test
    void refusedHandshakesGetOneLineWithStatusAndReason() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (AccessLogCapture log = new AccessLogCapture();
             ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/down/").upstream("ws://127.0.0.1:" + closedPort + "/").build())
                     .build())) {
            assertEquals(502, assertThrows(TestClient.HandshakeFailed.class,
                    () -> TestClient.connect(f.uri("/down/x"))).status);
            String line = log.next("event=refused");
            assertTrue(line.matches("time=\\S+ event=refused id=ws-\\w+ client=127\\.0\\.0\\.1 route=/down/ upstream="
                    + "127\\.0\\.0\\.1:" + closedPort + " path=/down/x status=502 reason=\".+\""), line);
        }
    }

    @Test
    void jsonFormatWritesOneObjectPerLine() throws Exception {
        try (AccessLogCapture log = new AccessLogCapture();
             ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder().accessLog("json")
                     .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).build())) {
            TestClient client = TestClient.connect(f.uri("/ws/control"));
            client.sendText("close 4001 upstream \"says\" bye");
            client.awaitClose(Duration.ofSeconds(10));
            String line = log.next("\"event\":\"close\"");
            assertTrue(line.startsWith("{\"time\":\"") && line.endsWith("\"ended_by\":\"upstream\",\"cause\":\"close\"}"),
                    line);
            assertTrue(line.contains("\"c2u_messages\":1,") && line.contains("\"subprotocol\":null,"), line);
            assertTrue(line.contains("\"upstream_close\":4001,\"upstream_reason\":\"upstream \\\"says\\\" bye\""), line);
        }
    }

    @Test
    void clientBehindATrustedProxyIsLoggedByItsForwardedAddress() throws Exception {
        try (AccessLogCapture log = new AccessLogCapture();
             ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).trustedProxies("127.0.0.1")
                             .build()).build())) {
            TestClient client = TestClient.connect(f.uri("/ws/echo"), "X-Forwarded-For", "203.0.113.7, 127.0.0.1");
            client.close(1000, "");
            client.awaitClose(Duration.ofSeconds(10));
            String line = log.next("event=close");
            assertTrue(line.contains(" client=203.0.113.7 "), line);
            assertTrue(line.contains(" client_close=1000 client_reason=- "), line);
        }
    }

    @Test
    void anUnknownFormatIsRefusedNamingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WebSocketProxy.builder().accessLog("xml"));
        assertEquals("accessLog must be keyvalue, json or off but was 'xml' (keyvalue is the default)", e.getMessage());
    }
}
