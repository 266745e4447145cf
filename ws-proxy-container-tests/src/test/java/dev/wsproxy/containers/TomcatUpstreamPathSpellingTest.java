package dev.wsproxy.containers;

import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.WebSocketProxyRegistration;
import dev.wsproxy.servlet.testing.PathSpellingContract;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * The path-spelling contract against a stock embedded Tomcat upstream (default connector settings, servlets
 * mapped to {@code /admin/*} and {@code /}), with the proxy registered in another Tomcat in front of it.
 */
class TomcatUpstreamPathSpellingTest extends PathSpellingContract {

    @Override
    protected Front startUpstream(HttpServlet admin, HttpServlet open) throws Exception {
        Tomcat tomcat = tomcat();
        Context context = tomcat.addContext("", null);
        context.addServletContainerInitializer(new WsSci(), null);
        Tomcat.addServlet(context, "admin", admin);
        context.addServletMappingDecoded("/admin/*", "admin");
        Tomcat.addServlet(context, "open", open);
        context.addServletMappingDecoded("/", "open");
        return started(tomcat);
    }

    @Override
    protected Front startProxy(WebSocketProxy proxy) throws Exception {
        Tomcat tomcat = tomcat();
        Context context = tomcat.addContext("", null);
        context.addServletContainerInitializer(
                (classes, servletContext) -> WebSocketProxyRegistration.register(servletContext, proxy), null);
        return started(tomcat);
    }

    private static Tomcat tomcat() throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("tomcat-spelling").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        return tomcat;
    }

    private static Front started(Tomcat tomcat) throws Exception {
        tomcat.start();
        return new Front() {
            @Override
            public int port() {
                return tomcat.getConnector().getLocalPort();
            }

            @Override
            public void close() throws Exception {
                tomcat.stop();
                tomcat.destroy();
            }
        };
    }
}
