package dev.wsproxy.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.TestClient;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo as a person uses it: real sockets on 127.0.0.1, the proxy on a free port. */
class DemoTest {

    /** HTTP/1.1 like a browser: the JDK's default HTTP/2 attempt sends {@code Upgrade: h2c} on plain http. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static Demo demo;

    @BeforeAll
    static void startDemo() throws Exception {
        demo = Demo.start(0);
    }

    @AfterAll
    static void stopDemo() throws Exception {
        demo.close();
    }

    @Test
    void textIsEchoedThroughTheProxy() throws Exception {
        CompletableFuture<String> echo = new CompletableFuture<>();
        WebSocket webSocket = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create(demo.proxyUri("/ws/echo")), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            echo.complete(text.toString());
                        }
                        ws.request(1);
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        webSocket.sendText("hello through ws-proxy", true).get(10, TimeUnit.SECONDS);
        assertEquals("hello through ws-proxy", echo.get(10, TimeUnit.SECONDS));
        webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
    }

    @Test
    void binaryIsEchoedThroughTheProxy() throws Exception {
        byte[] data = {0, 1, 2, (byte) 0xff, 42};
        try (TestClient client = TestClient.connect(demo.proxyUri("/ws/echo"))) {
            client.sendBinary(data);
            TestClient.Message reply = client.next();
            assertTrue(!reply.text, "expected a binary reply but got " + reply);
            assertArrayEquals(data, reply.data);
        }
    }

    /** The demo backend's limits are at least the proxy's, so a big message is the proxy's business alone. */
    @Test
    void fiveMegabyteMessageIsEchoedWhole() throws Exception {
        byte[] data = new byte[5 * 1000 * 1000];
        new java.util.Random(5).nextBytes(data);
        try (TestClient client = TestClient.connect(demo.proxyUri("/ws/echo"))) {
            client.sendBinary(data);
            assertArrayEquals(data, client.next(Duration.ofSeconds(30)).data);
        }
    }

    @Test
    void downRouteGets502BeforeAnyUpgrade() {
        TestClient.HandshakeFailed failed = assertThrows(TestClient.HandshakeFailed.class,
                () -> TestClient.connect(demo.proxyUri(Demo.DOWN_PREFIX)));
        assertEquals(502, failed.status);
    }

    @Test
    void chatMessagesReachEveryoneInTheRoomAndNoOneElse() throws Exception {
        try (TestClient alice = TestClient.connect(demo.proxyUri("/ws/chat?room=r1&name=alice"));
             TestClient carol = TestClient.connect(demo.proxyUri("/ws/chat?room=r2&name=carol"))) {
            assertEquals("* alice joined r1 (1 here)", alice.next().asText());
            assertEquals("* carol joined r2 (1 here)", carol.next().asText());
            try (TestClient bob = TestClient.connect(demo.proxyUri("/ws/chat?room=r1&name=bob"))) {
                assertEquals("* bob joined r1 (2 here)", alice.next().asText());
                assertEquals("* bob joined r1 (2 here)", bob.next().asText());

                alice.sendText("hi bob");
                assertEquals("alice: hi bob", alice.next().asText());
                assertEquals("alice: hi bob", bob.next().asText());
            }
            assertEquals("* bob left r1", alice.next().asText());
            carol.sendText("anyone?");
            assertEquals("carol: anyone?", carol.next().asText());
        }
    }

    @Test
    void pageIsServedAtTheRoot() throws Exception {
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<title>ws-proxy demo</title>"), page.body());
        HttpResponse<String> script = get("/app.js");
        assertEquals(200, script.statusCode());
        assertTrue(script.body().contains("/ws/echo"), "app.js does not connect to /ws/echo");
    }

    @Test
    void plainHttpOnTheProxiedPathGets426() throws Exception {
        HttpResponse<String> response = get("/ws/echo");
        assertEquals(426, response.statusCode(), response.body());
        assertEquals("websocket", response.headers().firstValue("Upgrade").orElse(null));
    }

    @Test
    void closingTheDemoSendsConnectedClients1001() throws Exception {
        Demo second = Demo.start(0);
        try (TestClient client = TestClient.connect(second.proxyUri("/ws/echo"))) {
            client.sendText("before shutdown");
            assertEquals("before shutdown", client.next().asText());
            second.close();
            TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(1001, close.code, "close was " + close);
            assertEquals("proxy shutting down", close.reason);
        } finally {
            second.close();
        }
    }

    @Test
    void takenPortIsReportedAsBindException() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            BindException e = assertThrows(BindException.class, () -> Demo.start(taken.getLocalPort()));
            assertTrue(e.getMessage().contains(Integer.toString(taken.getLocalPort())), e.getMessage());
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(demo.pageUri()).resolve(path))
                .timeout(Duration.ofSeconds(10)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
