package dev.wsproxy.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Stopping the Spring Boot sample closes every relayed connection with 1001 before Tomcat stops. */
class SpringProxyShutdownTest {

    @Test
    void stoppingTheAppGivesEachOfTenClients1001ProxyShuttingDown() throws Exception {
        try (Backend backend = Backend.start()) {
            ConfigurableApplicationContext app = SpringApplication.run(SpringProxyApplication.class,
                    "--server.address=127.0.0.1", "--server.port=0", "--spring.main.banner-mode=off",
                    "--ws-proxy.upstream=" + backend.uri("/"),
                    "--spring.security.user.name=alice", "--spring.security.user.password=secret");
            int port = ((ServletWebServerApplicationContext) app).getWebServer().getPort();
            List<TestClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    // the sample's /ws/ paths are behind Spring Security (HTTP Basic, user alice)
                    TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/ws/echo", "Authorization",
                            "Basic " + java.util.Base64.getEncoder().encodeToString(
                                    "alice:secret".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    client.sendText("client " + i);
                    assertEquals("client " + i, client.next().asText());
                    clients.add(client);
                }
                app.close();
                for (TestClient client : clients) {
                    TestClient.Close close = client.awaitClose(Duration.ofSeconds(15));
                    assertEquals(1001, close.code, close::toString);
                    assertEquals("proxy shutting down", close.reason);
                }
            } finally {
                app.close();
                clients.forEach(TestClient::close);
            }
        }
    }
}
