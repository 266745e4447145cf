package dev.wsproxy.examples.spring;

import dev.wsproxy.HandshakeAuthorizer;
import dev.wsproxy.HandshakeDecision;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.WebSocketProxyFilter;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.autoconfigure.websocket.servlet.TomcatWebSocketServletWebServerCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot 3 application (embedded Tomcat) that proxies {@code /ws/**} to the WebSocket server named by
 * the property {@code ws-proxy.upstream}, while its own controllers keep serving plain HTTP on the same paths.
 *
 * <p>Two beans are all it takes: the {@link WebSocketProxy} (closed by Spring on shutdown, which closes relayed
 * connections with 1001) and a {@link FilterRegistrationBean} for {@link WebSocketProxyFilter} ordered right
 * <em>after</em> Spring Security's filter chain ({@link SecurityProperties#DEFAULT_FILTER_ORDER} + 1). A proxy
 * filter ordered before it would upgrade WebSocket handshakes that the application's security never saw. Here
 * plain HTTP on {@code /ws/**} needs HTTP Basic credentials (the user comes from Boot's
 * {@code spring.security.user.*} properties), while WebSocket handshakes are decided by the proxy's
 * {@link HandshakeAuthorizer}: Spring Security checks any credentials sent (a wrong password is its 401) and the
 * authorizer lets only logged-in users through (anonymous: 401 with {@code WWW-Authenticate}), sending their
 * name upstream as {@code X-User-Id}; the route also sends it as {@code X-Forwarded-User} (a client-sent value of
 * either is never forwarded). Spring Boot's Tomcat
 * already installs WebSocket support ({@code WsSci}) and its {@code DispatcherServlet} covers every path, so
 * nothing container-specific is needed.
 *
 * <pre>
 * java -cp ... dev.wsproxy.examples.spring.SpringProxyApplication --ws-proxy.upstream=ws://127.0.0.1:9000/ \
 *     --spring.security.user.name=alice --spring.security.user.password=secret
 * </pre>
 */
@SpringBootApplication
public class SpringProxyApplication {

    public static void main(String[] args) {
        SpringApplication.run(SpringProxyApplication.class, args);
    }

    /** The proxy; Spring calls {@link WebSocketProxy#close()} when the context shuts down. */
    @Bean(destroyMethod = "close")
    WebSocketProxy webSocketProxy(@Value("${ws-proxy.upstream}") String upstream) {
        return WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(upstream).userHeader("X-Forwarded-User").build())
                .authorizer(loggedInUsersOnly())
                .build();
    }

    /**
     * Runs before the upstream is contacted, with the principal Spring Security established for the handshake:
     * anonymous handshakes get 401 and a Basic challenge, logged-in users go on with their name in
     * {@code X-User-Id} (replacing any value the client sent).
     */
    static HandshakeAuthorizer loggedInUsersOnly() {
        return (request, route) -> request.principal() == null
                ? HandshakeDecision.unauthorized("Basic realm=\"ws-proxy sample\"", "log in to open a WebSocket")
                : HandshakeDecision.allow().withUpstreamHeader("X-User-Id", request.principal().getName());
    }

    /**
     * Drains the proxy before the web server stops its connectors, so clients get 1001 "proxy shutting down"
     * on shutdown rather than a dropped connection (see {@link WebSocketProxyDrainLifecycle}).
     */
    @Bean
    WebSocketProxyDrainLifecycle webSocketProxyDrain(WebSocketProxy proxy) {
        return new WebSocketProxyDrainLifecycle(proxy);
    }

    /**
     * Runs the proxy filter for every path right after Spring Security's chain, so only handshakes the
     * application's security let through reach the upstream; non-WebSocket requests pass on to Spring MVC.
     */
    @Bean
    FilterRegistrationBean<WebSocketProxyFilter> webSocketProxyFilter(WebSocketProxy proxy) {
        FilterRegistrationBean<WebSocketProxyFilter> registration =
                new FilterRegistrationBean<>(new WebSocketProxyFilter(proxy));
        registration.setName("ws-proxy");
        registration.addUrlPatterns("/*");
        registration.setAsyncSupported(true);
        registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER + 1);
        return registration;
    }

    /**
     * {@code /ws/status} is public; every other path needs a login, except WebSocket handshakes, which the proxy's
     * authorizer decides (Spring Security still authenticates the credentials they carry).
     */
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
        return http
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers("/ws/status").permitAll()
                        .requestMatchers(request -> "websocket".equalsIgnoreCase(request.getHeader("Upgrade")))
                        .permitAll()
                        .anyRequest().authenticated())
                .httpBasic(Customizer.withDefaults())
                .build();
    }

    /**
     * Not needed in a typical Boot application. This module also has Jetty's Jakarta WebSocket server on its
     * class path (for {@code ws-proxy-jetty} and the test backend); Spring Boot's auto-configuration then has
     * a Tomcat and a Jetty candidate for the one bean named {@code websocketServletWebServerCustomizer} and may
     * keep Jetty's, leaving Tomcat without WebSocket support (the proxy filter then answers 500 "no WebSocket
     * container"). Declaring the Tomcat one under that name settles it.
     */
    @Bean(name = "websocketServletWebServerCustomizer")
    TomcatWebSocketServletWebServerCustomizer websocketServletWebServerCustomizer() {
        return new TomcatWebSocketServletWebServerCustomizer();
    }

    /** The application's own HTTP endpoint on a proxied path: plain GETs still reach it. */
    @RestController
    static class StatusController {
        private final WebSocketProxy proxy;

        StatusController(WebSocketProxy proxy) {
            this.proxy = proxy;
        }

        @GetMapping("/ws/status")
        Map<String, Object> status() {
            return Map.of("activeConnections", proxy.activeConnections());
        }
    }
}
