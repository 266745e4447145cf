package dev.wsproxy.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wsproxy.HandshakeAuthorizer;
import dev.wsproxy.HandshakeDecision;
import dev.wsproxy.RateLimit;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/** The starter's keys for rate limits and the authorization timeout, and its use of an authorizer bean. */
class StarterGuardsTest {

    /** An application with a {@link HandshakeAuthorizer} bean: only handshakes with the token pass. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(TomcatStarterTest.TomcatOnly.class)
    static class AuthorizerApp {
        @Bean
        HandshakeAuthorizer tokenAuthorizer() {
            return (request, route) -> "let-me-in".equals(request.header("X-Token"))
                    ? HandshakeDecision.allow().withUpstreamHeader("X-User-Id", "dana")
                    : HandshakeDecision.unauthorized("Bearer", "token required");
        }
    }

    private static ConfigurableApplicationContext run(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("--spring.main.banner-mode=off",
                "--server.address=127.0.0.1", "--server.port=0"));
        all.addAll(List.of(args));
        return new SpringApplicationBuilder(AuthorizerApp.class).web(WebApplicationType.SERVLET)
                .run(all.toArray(String[]::new));
    }

    @Test
    void rateLimitAndAuthorizationTimeoutKeysBind() {
        try (ConfigurableApplicationContext app = run("--ws-proxy.routes[0].prefix=/ws/",
                "--ws-proxy.routes[0].upstream=ws://b:80/", "--ws-proxy.routes[0].rate-limit-messages-per-second=20",
                "--ws-proxy.routes[0].rate-limit-bytes-per-second=64KB", "--ws-proxy.routes[0].rate-limit-action=close",
                "--ws-proxy.authorization-timeout=2s")) {
            RateLimit limit = app.getBean(WebSocketProxy.class).routes().get(0).rateLimit();
            assertEquals(20.0, limit.messagesPerSecond());
            assertEquals(64 * 1024, limit.bytesPerSecond());
            assertEquals(RateLimit.Action.CLOSE, limit.action());
        }
    }

    @Test
    void theApplicationsAuthorizerBeanDecidesHandshakes() throws Exception {
        try (Backend backend = Backend.start();
             ConfigurableApplicationContext app = run("--ws-proxy.routes[0].prefix=/ws/",
                     "--ws-proxy.routes[0].upstream=" + backend.uri("/"))) {
            int port = ((ServletWebServerApplicationContext) app).getWebServer().getPort();
            TestClient.HandshakeFailed refused = assertThrows(TestClient.HandshakeFailed.class,
                    () -> TestClient.connect("ws://127.0.0.1:" + port + "/ws/echo"));
            assertEquals(401, refused.status, refused.toString());
            assertEquals(0, backend.pendingHandshakes());
            try (TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/ws/echo", "X-Token", "let-me-in")) {
                client.sendText("hi");
                assertEquals("hi", client.next().asText());
            }
            assertEquals("dana", backend.takeHandshake().header("X-User-Id"));
        }
    }
}
