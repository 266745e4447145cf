package dev.wsproxy.spring;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import io.micrometer.core.instrument.MeterRegistry;
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
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * With Actuator on the classpath the starter binds the proxy's meters to Boot's {@link MeterRegistry}: real
 * connections through a Tomcat Boot app, in tunnel mode and in message mode, show up there and on
 * {@code /actuator/metrics}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StarterMetricsTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(TomcatStarterTest.TomcatOnly.class)
    static class App {
    }

    private Backend backend;
    private ConfigurableApplicationContext app;
    private int port;

    @BeforeAll
    void start() throws Exception {
        backend = Backend.start();
        app = SpringApplication.run(App.class, "--server.address=127.0.0.1", "--server.port=0",
                "--spring.main.banner-mode=off",
                "--ws-proxy.routes[0].prefix=/ws/", "--ws-proxy.routes[0].upstream=" + backend.uri("/"),
                "--ws-proxy.routes[1].prefix=/msg/", "--ws-proxy.routes[1].upstream=" + backend.uri("/"),
                "--ws-proxy.routes[1].relay-mode=message",
                "--management.endpoints.web.exposure.include=metrics");
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
    void connectionsInBothRelayModesReachBootsMeterRegistryAndActuator() throws Exception {
        for (String route : new String[] {"/ws/", "/msg/"}) {
            try (TestClient client = TestClient.connect("ws://127.0.0.1:" + port + route + "echo")) {
                client.sendText("hello");
                assertEquals("hello", client.next().asText());
            }
        }
        MeterRegistry registry = app.getBean(MeterRegistry.class);
        for (String route : new String[] {"/ws/", "/msg/"}) {
            await().atMost(Duration.ofSeconds(10)).until(() -> registry.find("wsproxy.connections.closed")
                    .tags("route", route).functionCounter() != null
                    && registry.get("wsproxy.connections.closed").tags("route", route).functionCounter().count() == 1);
            assertEquals(5, registry.get("wsproxy.bytes").tags("route", route, "direction", "client_to_upstream")
                    .functionCounter().count(), route);
            assertEquals(1, registry.get("wsproxy.handshakes").tags("route", route, "status", "101")
                    .functionCounter().count(), route);
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/metrics/wsproxy.connections.opened")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response::body);
        assertTrue(response.body().contains("\"statistic\":\"COUNT\",\"value\":2.0"), response::body);
    }
}
