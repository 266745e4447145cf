package dev.wsproxy.examples.spring;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The Spring Boot sample end to end: a real JDK WebSocket client through Boot's embedded Tomcat to a backend. */
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
                "--ws-proxy.upstream=" + backend.uri("/"));
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
        try (TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/ws/echo")) {
            client.sendText("hello spring");
            assertEquals("hello spring", client.next().asText());
        }
    }

    @Test
    void closeCodeFromUpstreamReachesClient() throws Exception {
        try (TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/ws/control")) {
            client.sendText("close 4003 done");
            TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(4003, close.code);
            assertEquals("done", close.reason);
        }
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
