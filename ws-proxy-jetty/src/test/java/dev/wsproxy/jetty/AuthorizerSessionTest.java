package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wsproxy.HandshakeDecision;
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
import java.io.IOException;
import java.security.Principal;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * The servlet adapter gives the authorizer the request's {@code getUserPrincipal()} and the HTTP session's
 * attributes (embedded Jetty with sessions, the application's filter before {@link JettyWebSocketProxy#mount}).
 */
class AuthorizerSessionTest {

    @Test
    void authorizerSeesThePrincipalAndTheSessionAttributes() throws Exception {
        try (Backend backend = Backend.start()) {
            WebSocketProxy proxy = WebSocketProxy.builder()
                    .authorizer((request, route) -> request.principal() == null
                            ? HandshakeDecision.unauthorized("Basic realm=\"x\"", "log in")
                            : HandshakeDecision.allow()
                                    .withUpstreamHeader("X-User-Id", request.principal().getName())
                                    .withUpstreamHeader("X-Tenant", String.valueOf(
                                            request.sessionAttributes().get("tenant"))))
                    .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                    .build();
            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            server.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler("/", ServletContextHandler.SESSIONS);
            context.addFilter(new FilterHolder(new LoginFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
            JettyWebSocketProxy.mount(context, proxy);
            server.setHandler(context);
            server.start();
            try {
                int port = connector.getLocalPort();
                RawHttp.Response anonymous = RawHttp.exchange(port, Handshakes.get("/ws/echo").lines());
                assertEquals(401, anonymous.status, anonymous.toString());
                RawHttp.Response response = RawHttp.exchange(port,
                        Handshakes.get("/ws/echo").plus("X-Test-Login: carol").lines());
                assertEquals(101, response.status, response.toString());
                Backend.Recorded upstream = backend.takeHandshake();
                assertEquals("carol", upstream.header("X-User-Id"));
                assertEquals("blue", upstream.header("X-Tenant"));
            } finally {
                server.stop();
                proxy.close();
            }
        }
    }

    /** Stands for the application's login: a session with an attribute, and the principal on the request. */
    static final class LoginFilter implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            String user = request.getHeader("X-Test-Login");
            if (user == null) {
                chain.doFilter(req, res);
                return;
            }
            request.getSession(true).setAttribute("tenant", "blue");
            Principal principal = () -> user;
            chain.doFilter(new HttpServletRequestWrapper(request) {
                @Override
                public Principal getUserPrincipal() {
                    return principal;
                }
            }, res);
        }
    }
}
