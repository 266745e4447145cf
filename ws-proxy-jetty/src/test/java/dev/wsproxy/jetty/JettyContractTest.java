package dev.wsproxy.jetty;

import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.testing.AppServlet;
import dev.wsproxy.servlet.testing.ContainerContract;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The container contract on embedded Jetty 12 (ee10), registered with {@link JettyWebSocketProxy#mount}. */
class JettyContractTest extends ContainerContract {

    @Override
    protected Deployment deploy(WebSocketProxy proxy) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(AppServlet.class, APP_SERVLET_MAPPING);
        JettyWebSocketProxy.mount(context, proxy);
        server.setHandler(context);
        server.start();
        return new Deployment() {
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
}
