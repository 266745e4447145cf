package dev.wsproxy.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The starter end to end on one embedded server: a Boot application configured only by {@code ws-proxy.*}
 * properties, on 127.0.0.1 port 0, in front of a real backend, reached by a real WebSocket client. Subclasses
 * name the application class that picks the server. The shutdown test runs last: it stops the application.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class StarterContract {

    private Backend backend;
    private ConfigurableApplicationContext app;
    private int port;

    /** A {@code @SpringBootConfiguration} class that selects the web server. */
    abstract Class<?> application();

    /** Part of the server's name as the Boot web server reports it, e.g. "Tomcat". */
    abstract String serverName();

    @BeforeAll
    void start() throws Exception {
        backend = Backend.start();
        app = SpringApplication.run(application(),
                "--server.address=127.0.0.1", "--server.port=0", "--server.shutdown=graceful",
                "--spring.main.banner-mode=off",
                "--ws-proxy.routes[0].prefix=/ws/",
                "--ws-proxy.routes[0].upstream=" + backend.uri("/"),
                "--ws-proxy.routes[0].connect-timeout=5s",
                "--ws-proxy.routes[0].max-message-size=8MB",
                "--ws-proxy.routes[0].set-header.X-Tenant=blue",
                "--ws-proxy.drain-timeout=5s",
                "--management.endpoint.health.show-details=always");
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
    @Order(1)
    void theChosenServerRuns() {
        String server = ((ServletWebServerApplicationContext) app).getWebServer().getClass().getSimpleName();
        assertTrue(server.contains(serverName()), server);
    }

    @Test
    @Order(2)
    void messagesRelayWithRouteSettingsFromProperties() throws Exception {
        try (TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/ws/echo")) {
            client.sendText("hello " + serverName());
            assertEquals("hello " + serverName(), client.next().asText());
        }
        Backend.Recorded handshake = backend.takeHandshake();
        assertEquals("/echo", handshake.path);
        assertEquals("blue", handshake.header("X-Tenant"), handshake::toString);
    }

    @Test
    @Order(3)
    void closeCodeFromUpstreamReachesClient() throws Exception {
        try (TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/ws/control")) {
            client.sendText("close 4003 done");
            TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(4003, close.code);
            assertEquals("done", close.reason);
        }
    }

    @Test
    @Order(4)
    void healthIndicatorReportsTheUpstreamReachable() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/health/webSocketProxy")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response::body);
        assertTrue(response.body().contains("\"status\":\"UP\""), response::body);
        assertTrue(response.body().contains("reachable"), response::body);
    }

    @Test
    @Order(99)
    void shutdownClosesRelayedConnectionsWith1001() throws Exception {
        try (TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/ws/echo")) {
            client.sendText("before shutdown");
            assertEquals("before shutdown", client.next().asText());
            app.close();
            TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(1001, close.code, close::toString);
            assertEquals("proxy shutting down", close.reason);
        } finally {
            app = null;
        }
    }
}
