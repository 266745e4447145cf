package dev.wsproxy.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.WebSocketProxyFilter;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/** Binding, validation and back-off of the auto-configuration. */
class StarterConfigurationTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(TomcatStarterTest.TomcatOnly.class)
    static class PropertiesApp {
    }

    /** An application with its own proxy: the starter must not build one. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(TomcatStarterTest.TomcatOnly.class)
    static class OwnProxyApp {
        static String upstream;

        @Bean(destroyMethod = "close")
        WebSocketProxy myProxy() {
            return WebSocketProxy.builder().route(ProxyRoute.prefix("/mine/").upstream(upstream).build()).build();
        }
    }

    private static ConfigurableApplicationContext run(Class<?> app, WebApplicationType type, String... args) {
        List<String> all = new ArrayList<>(List.of("--spring.main.banner-mode=off", "--server.address=127.0.0.1",
                "--server.port=0"));
        all.addAll(List.of(args));
        return new SpringApplicationBuilder(app).web(type).run(all.toArray(String[]::new));
    }

    /** Every message in the cause chain, so assertions see what the failure analyzer would print. */
    private static String failure(String... args) {
        Throwable thrown = assertThrows(Exception.class, () -> run(PropertiesApp.class, WebApplicationType.NONE, args)
                .close());
        StringBuilder messages = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages.toString();
    }

    @Test
    void aDurationThatIsNotOneNamesItsKey() {
        String messages = failure("--ws-proxy.routes[0].prefix=/ws/", "--ws-proxy.routes[0].upstream=ws://b:80/",
                "--ws-proxy.routes[0].connect-timeout=soon");
        assertTrue(messages.contains("ws-proxy.routes[0].connect-timeout"), messages);
    }

    @Test
    void aMisspelledKeyIsRefusedByName() {
        String messages = failure("--ws-proxy.routes[0].prefix=/ws/", "--ws-proxy.routes[0].upstream=ws://b:80/",
                "--ws-proxy.routes[0].conect-timeout=5s");
        assertTrue(messages.contains("ws-proxy.routes[0].conect-timeout"), messages);
    }

    @Test
    void metricsJmxAndAccessLogKeysReachTheProxy() throws Exception {
        javax.management.ObjectName route = new javax.management.ObjectName(
                "dev.wsproxy:type=Route,name=\"/starter-jmx/\"");
        try (ConfigurableApplicationContext app = run(PropertiesApp.class, WebApplicationType.NONE,
                "--ws-proxy.routes[0].prefix=/starter-jmx/", "--ws-proxy.routes[0].upstream=ws://b:80/",
                "--ws-proxy.metrics=true", "--ws-proxy.jmx=true", "--ws-proxy.access-log=json")) {
            assertTrue(java.lang.management.ManagementFactory.getPlatformMBeanServer().isRegistered(route));
        }
        String messages = failure("--ws-proxy.routes[0].prefix=/ws/", "--ws-proxy.routes[0].upstream=ws://b:80/",
                "--ws-proxy.access-log=xml");
        assertTrue(messages.contains("ws-proxy.access-log: accessLog must be keyvalue, json or off but was 'xml'"),
                messages);
    }

    @Test
    void anUpstreamTheBuilderRefusesNamesItsKeyAndTheFix() {
        String messages = failure("--ws-proxy.routes[0].prefix=/ws/", "--ws-proxy.routes[0].upstream=http://b:80/");
        assertTrue(messages.contains("ws-proxy.routes[0]: upstream must be ws:// or wss://"), messages);
        assertTrue(messages.contains("ws://"), messages);
    }

    @Test
    void aRouteWithTwoKindsNamesTheRoute() {
        String messages = failure("--ws-proxy.routes[1].prefix=/a/", "--ws-proxy.routes[1].exact=/b",
                "--ws-proxy.routes[1].upstream=ws://b:80/", "--ws-proxy.routes[0].prefix=/ws/",
                "--ws-proxy.routes[0].upstream=ws://b:80/");
        assertTrue(messages.contains("ws-proxy.routes[1] needs exactly one of"), messages);
    }

    @Test
    void noRoutesSaysWhatToAdd() {
        String messages = failure();
        assertTrue(messages.contains("ws-proxy.routes is empty"), messages);
    }

    @Test
    void aFilterOrderBeforeSpringSecurityIsRefused() {
        Throwable thrown = assertThrows(Exception.class, () -> run(PropertiesApp.class, WebApplicationType.SERVLET,
                "--ws-proxy.routes[0].prefix=/ws/", "--ws-proxy.routes[0].upstream=ws://b:80/",
                "--ws-proxy.filter-order=-1000").close());
        StringBuilder messages = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertTrue(messages.toString().contains("ws-proxy.filter-order must be at least -99 but was -1000"),
                messages::toString);
    }

    @Test
    void everySettingBindsAndTheFilterRunsAfterSpringSecurity() {
        try (ConfigurableApplicationContext app = run(PropertiesApp.class, WebApplicationType.SERVLET,
                "--ws-proxy.routes[0].regex=^/rooms/([^/]+)$", "--ws-proxy.routes[0].upstream=ws://b:80/room/$1",
                "--ws-proxy.routes[0].ping-interval=20s", "--ws-proxy.routes[0].idle-timeout=10m",
                "--ws-proxy.routes[0].max-frame-size=1MB", "--ws-proxy.routes[0].max-message-size=8MB",
                "--ws-proxy.routes[0].max-connections=500", "--ws-proxy.routes[0].reject-non-upgrade=true",
                "--ws-proxy.routes[0].preserve-host=false", "--ws-proxy.routes[0].allowed-origins=https://a.example",
                "--ws-proxy.routes[0].trusted-proxies=10.0.0.0/8,::1", "--ws-proxy.routes[0].forwarded-header=true",
                "--ws-proxy.routes[0].add-header.X-Trace=proxy", "--ws-proxy.routes[0].remove-headers=Cookie",
                "--ws-proxy.routes[1].exact=/live", "--ws-proxy.routes[1].upstream=ws://feed:9000/stream",
                "--ws-proxy.max-connections=10000", "--ws-proxy.max-connections-per-client=50")) {
            List<ProxyRoute> routes = app.getBean(WebSocketProxy.class).routes();
            assertEquals(2, routes.size());
            ProxyRoute rooms = routes.stream().filter(r -> r.match() == ProxyRoute.Match.REGEX).findFirst().get();
            assertEquals(Duration.ofSeconds(20), rooms.pingInterval());
            assertEquals(Duration.ofMinutes(10), rooms.idleTimeout());
            assertEquals(1 << 20, rooms.maxFrameSize());
            assertEquals(8L << 20, rooms.maxMessageSize());
            assertEquals(500, rooms.maxConnections());
            assertTrue(rooms.rejectNonUpgrade());
            assertEquals(false, rooms.preserveHost());
            assertEquals(List.of("https://a.example"), rooms.allowedOrigins());
            assertEquals(List.of("10.0.0.0/8", "::1"), rooms.trustedProxies());
            assertTrue(rooms.forwardedHeader());
            FilterRegistrationBean<?> filter = app.getBean("webSocketProxyFilterRegistration", FilterRegistrationBean.class);
            assertTrue(filter.getFilter() instanceof WebSocketProxyFilter);
            assertTrue(filter.getOrder() > SecurityProperties.DEFAULT_FILTER_ORDER, () -> "order " + filter.getOrder());
        }
    }

    @Test
    void anApplicationsOwnProxyReplacesThePropertiesProxyAndStillGetsTheFilter() throws Exception {
        try (Backend backend = Backend.start()) {
            OwnProxyApp.upstream = backend.uri("/");
            try (ConfigurableApplicationContext app = run(OwnProxyApp.class, WebApplicationType.SERVLET,
                    "--ws-proxy.routes[0].prefix=/ws/", "--ws-proxy.routes[0].upstream=ws://127.0.0.1:1/")) {
                assertEquals(1, app.getBeansOfType(WebSocketProxy.class).size());
                assertEquals("/mine/", app.getBean(WebSocketProxy.class).routes().get(0).path());
                assertTrue(app.getBeansOfType(WebSocketProxyLifecycle.class).isEmpty(),
                        "the application owns its proxy's shutdown");
                int port = ((ServletWebServerApplicationContext) app).getWebServer().getPort();
                try (TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/mine/echo")) {
                    client.sendText("own proxy");
                    assertEquals("own proxy", client.next().asText());
                }
            }
        }
    }

    @Test
    void enabledFalseTurnsTheStarterOff() {
        try (ConfigurableApplicationContext app = run(PropertiesApp.class, WebApplicationType.NONE,
                "--ws-proxy.enabled=false")) {
            assertTrue(app.getBeansOfType(WebSocketProxy.class).isEmpty());
        }
    }

    @Test
    void ideMetadataListsTheKeys() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            String metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String key : List.of("ws-proxy.routes", "ws-proxy.drain-timeout", "ws-proxy.filter-order",
                    "ws-proxy.max-connections-per-client", "ws-proxy.enabled", "ws-proxy.metrics", "ws-proxy.jmx",
                    "ws-proxy.access-log")) {
                assertTrue(metadata.contains("\"" + key + "\""), key);
            }
        }
    }
}
