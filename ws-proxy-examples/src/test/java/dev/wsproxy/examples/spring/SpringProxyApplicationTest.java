package dev.wsproxy.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.RawHttp;
import dev.wsproxy.testing.TestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Spring Boot sample end to end: a real JDK WebSocket client through Boot's embedded Tomcat and Spring
 * Security to a recording backend. An anonymous handshake gets the proxy authorizer's 401 (with a Basic challenge)
 * and never reaches the upstream; an authenticated one is relayed with the user's name in
 * {@code X-Forwarded-User} and {@code X-User-Id}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringProxyApplicationTest {

    private Backend backend;
    private ConfigurableApplicationContext app;
    private int port;

    @BeforeAll
    void start() throws Exception {
        backend = Backend.start();
        app = SpringApplication.run(SpringProxyApplication.class,
                "--server.address=127.0.0.1", "--server.port=0", "--spring.main.banner-mode=off",
                "--ws-proxy.upstream=" + backend.uri("/"),
                "--spring.security.user.name=alice", "--spring.security.user.password=secret");
        port = ((ServletWebServerApplicationContext) app).getWebServer().getPort();
    }

    @AfterAll
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        backend.close();
    }

    @Test
    void messagesRelayThroughSpringBootsTomcat() throws Exception {
        try (TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/ws/echo", ALICE)) {
            client.sendText("hello spring");
            assertEquals("hello spring", client.next().asText());
        }
        assertEquals("alice", backend.takeHandshake().header("X-Forwarded-User"));
    }

    @Test
    void anonymousHandshakeGets401AndNeverReachesTheUpstream() {
        TestClient.HandshakeFailed failure = assertThrows(TestClient.HandshakeFailed.class,
                () -> TestClient.connect("ws://127.0.0.1:" + port + "/ws/echo", "X-Forwarded-User", "alice"));
        assertEquals(401, failure.status, failure.toString());
        assertEquals(0, backend.pendingHandshakes(), "the upstream saw an unauthenticated handshake");
    }

    @Test
    void authorizerChallengesAnonymousHandshakesBeforeAnyUpstreamConnection() throws Exception {
        RawHttp.Response response = RawHttp.exchange(port,
                "GET /ws/echo HTTP/1.1", "Host: 127.0.0.1:" + port, "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "X-User-Id: alice");
        assertEquals(401, response.status, response.toString());
        assertEquals("Basic realm=\"ws-proxy sample\"", response.header("WWW-Authenticate"));
        assertTrue(response.body.contains("log in to open a WebSocket"), response.body);
        assertEquals(0, backend.pendingHandshakes(), "the upstream saw an unauthenticated handshake");
    }

    @Test
    void authorizerForwardsTheLoggedInUsersNameAsUserId() throws Exception {
        String[] headers = {ALICE[0], ALICE[1], "X-User-Id", "admin"};
        try (TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/ws/echo", headers)) {
            client.sendText("who am i");
            assertEquals("who am i", client.next().asText());
        }
        assertEquals("alice", backend.takeHandshake().header("X-User-Id"));
    }

    @Test
    void wrongPasswordGets401() {
        TestClient.HandshakeFailed failure = assertThrows(TestClient.HandshakeFailed.class,
                () -> TestClient.connect("ws://127.0.0.1:" + port + "/ws/echo", "Authorization", basic("alice", "guess")));
        assertEquals(401, failure.status, failure.toString());
        assertEquals(0, backend.pendingHandshakes());
    }

    @Test
    void clientCannotChooseTheForwardedUser() throws Exception {
        String[] headers = {ALICE[0], ALICE[1], "X-Forwarded-User", "admin"};
        try (TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/ws/echo", headers)) {
            client.sendText("x");
            assertEquals("x", client.next().asText());
        }
        assertEquals("alice", backend.takeHandshake().header("X-Forwarded-User"));
    }

    private static final String[] ALICE = {"Authorization", basic("alice", "secret")};

    private static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void closeCodeFromUpstreamReachesClient() throws Exception {
        try (TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/ws/control", ALICE)) {
            client.sendText("close 4003 done");
            TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(4003, close.code);
            assertEquals("done", close.reason);
        }
        backend.takeHandshake();
    }

    @Test
    void plainGetOnProxiedPathReachesSpringController() throws Exception {
        // HTTP/1.1 without an h2c upgrade offer: see ContainerContract#h2cUpgradeOfferOnProxiedPathReachesAppServlet
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ws/status")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response::body);
        assertTrue(response.body().contains("activeConnections"), response::body);
    }
}
