package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.RawHttp;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded-Jetty recipe with the application's security filter added before {@link JettyWebSocketProxy#mount}:
 * the filter decides first (an anonymous handshake gets its 401 and never reaches the upstream), and the user it
 * established ({@code getRemoteUser()} of its request wrapper) reaches the upstream through the route's
 * {@code userHeader}.
 */
class SecurityFilterOrderTest {

    private static Backend backend;
    private static WebSocketProxy proxy;
    private static Server server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        backend = Backend.start();
        proxy = WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).userHeader("X-Forwarded-User").build())
                .build();
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addFilter(new FilterHolder(new TokenSecurity()), "/*", EnumSet.of(DispatcherType.REQUEST));
        JettyWebSocketProxy.mount(context, proxy);
        server.setHandler(context);
        server.start();
        port = connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
        proxy.close();
        backend.close();
    }

    @AfterEach
    void nothingLeftOver() {
        assertEquals(0, backend.pendingHandshakes(), "unexpected upstream handshakes");
    }

    @Test
    void anonymousHandshakeGetsTheApplications401() throws Exception {
        RawHttp.Response response = RawHttp.exchange(port, Handshakes.get("/ws/echo").lines());
        assertEquals(401, response.status, response.toString());
    }

    @Test
    void authenticatedHandshakeIsRelayedWithTheUsersName() throws Exception {
        RawHttp.Response response = RawHttp.exchange(port,
                Handshakes.get("/ws/echo").plus("Authorization: Bearer alice-token")
                        .plus("X-Forwarded-User: admin").lines());
        assertEquals(101, response.status, response.toString());
        assertEquals("alice", backend.takeHandshake().header("X-Forwarded-User"));
    }

    /** Stands for the application's security: one known token, the user exposed as {@code getRemoteUser()}. */
    static final class TokenSecurity implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            if (!"Bearer alice-token".equals(request.getHeader("Authorization"))) {
                ((HttpServletResponse) res).sendError(401);
                return;
            }
            chain.doFilter(new HttpServletRequestWrapper(request) {
                @Override
                public String getRemoteUser() {
                    return "alice";
                }
            }, res);
        }
    }
}
