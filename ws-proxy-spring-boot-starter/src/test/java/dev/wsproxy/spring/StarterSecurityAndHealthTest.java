package dev.wsproxy.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The application's security filters run before the proxy, and the health indicator reports an upstream that does
 * not accept connections. The security chain is stood in for by a filter registered exactly where Spring Security
 * registers its chain ({@link SecurityProperties#DEFAULT_FILTER_ORDER}), so the test needs no Spring Security.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StarterSecurityAndHealthTest {

    private static final String TOKEN = "Bearer let-me-in";

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(TomcatStarterTest.TomcatOnly.class)
    static class SecuredApp {
        /** Where Spring Security's DelegatingFilterProxyRegistrationBean sits: 401 without the token. */
        @Bean
        FilterRegistrationBean<Filter> securityChainStandIn() {
            FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
                if (!TOKEN.equals(((HttpServletRequest) request).getHeader("Authorization"))) {
                    ((HttpServletResponse) response).sendError(401);
                    return;
                }
                chain.doFilter(request, response);
            });
            registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER);
            registration.addUrlPatterns("/ws/*");
            return registration;
        }
    }

    private Backend backend;
    private ConfigurableApplicationContext app;
    private int port;
    private int deadPort;

    @BeforeAll
    void start() throws Exception {
        backend = Backend.start();
        try (ServerSocket released = new ServerSocket(0)) {
            deadPort = released.getLocalPort();
        }
        app = SpringApplication.run(SecuredApp.class, "--server.address=127.0.0.1", "--server.port=0",
                "--spring.main.banner-mode=off",
                "--ws-proxy.routes[0].prefix=/ws/", "--ws-proxy.routes[0].upstream=" + backend.uri("/"),
                "--ws-proxy.routes[1].prefix=/dead/", "--ws-proxy.routes[1].upstream=ws://127.0.0.1:" + deadPort + "/",
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
    void anUnauthenticatedHandshakeIsRefusedBySecurityBeforeTheProxyRuns() {
        TestClient.HandshakeFailed refused = assertThrows(TestClient.HandshakeFailed.class,
                () -> TestClient.connect("ws://127.0.0.1:" + port + "/ws/echo").close());
        assertEquals(401, refused.status);
        assertEquals(0, backend.pendingHandshakes(), "the upstream must not have been contacted");
    }

    @Test
    void anAuthenticatedHandshakeIsProxied() throws Exception {
        try (TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/ws/echo", "Authorization", TOKEN)) {
            client.sendText("authenticated");
            assertEquals("authenticated", client.next().asText());
        }
        assertEquals(TOKEN, backend.takeHandshake().header("Authorization"));
    }

    @Test
    void healthIsDownAndNamesTheUpstreamThatRefusesConnections() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/health/webSocketProxy")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, response.statusCode(), response::body);
        assertTrue(response.body().contains("\"status\":\"DOWN\""), response::body);
        assertTrue(response.body().contains("unreachable: 127.0.0.1:" + deadPort), response::body);
        assertTrue(response.body().contains("prefix /ws/ -> " + backend.uri("/") + "\":\"reachable\""),
                response::body);
    }
}
