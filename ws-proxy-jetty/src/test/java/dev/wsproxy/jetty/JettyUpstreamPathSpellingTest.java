package dev.wsproxy.jetty;

import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.testing.PathSpellingContract;
import jakarta.servlet.http.HttpServlet;
import java.net.InetSocketAddress;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The path-spelling contract with {@link JettyProxyServer} in front of a stock Jetty 12 (ee10) upstream: default
 * {@code HttpConfiguration} and URI compliance, servlets mapped to {@code /admin/*} and {@code /}.
 */
class JettyUpstreamPathSpellingTest extends PathSpellingContract {

    @Override
    protected Front startUpstream(HttpServlet admin, HttpServlet open) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        JakartaWebSocketServletContainerInitializer.configure(context, null);
        context.addServlet(new ServletHolder("admin", admin), "/admin/*");
        context.addServlet(new ServletHolder("open", open), "/");
        server.setHandler(context);
        server.start();
        return new Front() {
            @Override
            public int port() {
                return connector.getLocalPort();
            }

            @Override
            public void close() throws Exception {
                server.stop();
            }
        };
    }

    @Override
    protected Front startProxy(WebSocketProxy proxy) {
        JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0));
        return new Front() {
            @Override
            public int port() {
                return server.port();
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }
}
