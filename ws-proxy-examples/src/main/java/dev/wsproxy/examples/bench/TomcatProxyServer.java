package dev.wsproxy.examples.bench;

import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.WebSocketProxyRegistration;
import java.nio.file.Files;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;

/**
 * ws-proxy in embedded Tomcat, mounted the way a Tomcat user mounts it: one
 * {@link WebSocketProxyRegistration#register} call in a {@code ServletContainerInitializer} (tunnel mode: the
 * client's socket taken over with {@code HttpServletRequest.upgrade} and read on ws-proxy's selector loop). Tomcat's defaults except what the scale scenario needs on this machine:
 * {@code maxConnections} raised from 8,192 to 20,000 and {@code acceptCount} from 100 to 1,024, the same
 * accept backlog the other servers get. The benchmark runs it with Tomcat 11 jars first on the classpath (the
 * examples module's own Tomcat is Spring Boot's 10.1).
 *
 * <p>Not thread-safe: started and closed by {@link BenchServer}'s main thread.
 */
final class TomcatProxyServer implements AutoCloseable {

    private final Tomcat tomcat;
    private final Connector connector;

    private TomcatProxyServer(Tomcat tomcat, Connector connector) {
        this.tomcat = tomcat;
        this.connector = connector;
    }

    /**
     * Starts Tomcat with the proxy registered; {@code appBufferSize} > 0 sets Tomcat's per-connection socket
     * buffers ({@code socket.appReadBufSize}, {@code socket.appWriteBufSize}), 0 keeps Tomcat's 8 KiB.
     */
    static TomcatProxyServer start(WebSocketProxy proxy, int appBufferSize) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("ws-proxy-bench-tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxConnections", "20000");
        connector.setProperty("acceptCount", "1024");
        if (appBufferSize > 0) {
            connector.setProperty("socket.appReadBufSize", Integer.toString(appBufferSize));
            connector.setProperty("socket.appWriteBufSize", Integer.toString(appBufferSize));
        }
        tomcat.setConnector(connector);
        var context = tomcat.addContext("", null);
        context.addServletContainerInitializer(
                (classes, servletContext) -> WebSocketProxyRegistration.register(servletContext, proxy), null);
        tomcat.start();
        System.out.println(ServerInfo.getServerInfo() + " started");
        return new TomcatProxyServer(tomcat, connector);
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
