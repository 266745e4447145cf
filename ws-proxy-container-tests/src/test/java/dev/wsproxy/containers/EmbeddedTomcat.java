package dev.wsproxy.containers;

import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.WebSocketProxyRegistration;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * An embedded Tomcat on 127.0.0.1 (port 0) with one root context where the proxy is registered the way a
 * Tomcat user would: one line in a {@code ServletContainerInitializer}. Started by {@link #start}; not
 * thread-safe.
 */
final class EmbeddedTomcat implements AutoCloseable {

    /** Tomcat's default connector protocol (NIO). */
    static final String NIO = "HTTP/1.1";
    static final String NIO2 = "org.apache.coyote.http11.Http11Nio2Protocol";

    final Tomcat tomcat;
    final Connector connector;

    private EmbeddedTomcat(Tomcat tomcat, Connector connector) {
        this.tomcat = tomcat;
        this.connector = connector;
    }

    /** Starts Tomcat in {@code baseDir} with a {@code protocol} connector; {@code context} adds servlets. */
    static EmbeddedTomcat start(Path baseDir, String protocol, WebSocketProxy proxy, Consumer<Context> context)
            throws Exception {
        return start(baseDir, protocol, connector -> { }, proxy, context);
    }

    /** As {@link #start(Path, String, WebSocketProxy, Consumer)}, {@code configure} setting up the connector. */
    static EmbeddedTomcat start(Path baseDir, String protocol, Consumer<Connector> configure, WebSocketProxy proxy,
                                Consumer<Context> context) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector(protocol);
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        configure.accept(connector);
        tomcat.setConnector(connector);
        Context root = tomcat.addContext("", null);
        context.accept(root);
        root.addServletContainerInitializer(
                (classes, servletContext) -> WebSocketProxyRegistration.register(servletContext, proxy), null);
        tomcat.start();
        return new EmbeddedTomcat(tomcat, connector);
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }
}
