package dev.wsproxy.containers;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.testing.AppServlet;
import dev.wsproxy.servlet.testing.ContainerContract;
import java.nio.file.Files;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;

/**
 * The container contract on embedded Tomcat, registered the way a Tomcat user would: one line in a
 * {@code ServletContainerInitializer}. Subclasses name the Tomcat version the classpath must hold, so a
 * build that silently ran the wrong Tomcat fails.
 */
abstract class TomcatContract extends ContainerContract {

    /** The deployed connector, once {@link #deploy} ran. */
    Connector connector;

    /** The connector's protocol, as {@code new Connector(protocol)} takes it. */
    String connectorProtocol() {
        return EmbeddedTomcat.NIO;
    }

    /** E.g. {@code "11"}: the start of {@code ServerInfo.getServerNumber()}; the pom's surefire executions
     * say which line each one has on its classpath ({@code wsproxy.tomcat.line}). */
    abstract String tomcatLine();

    /**
     * In message mode Tomcat's endpoint answers a client's 1012, 1013 or 1014 (codes only servers send) with
     * 1002 and reports that; a tunnel does not parse them.
     */
    @Override
    public String expectedAtUpstream(int code, String reason) {
        return !tunnelMode() && code >= 1012 && code <= 1014 ? "1002 " + reason
                : super.expectedAtUpstream(code, reason);
    }

    @Override
    protected Deployment deploy(WebSocketProxy proxy) throws Exception {
        assumeTrue(tomcatLine().equals(System.getProperty("wsproxy.tomcat.line")),
                () -> "Tomcat " + tomcatLine() + " runs in its own surefire execution");
        String expectedVersionPrefix = tomcatLine() + ".";
        assertTrue(ServerInfo.getServerNumber().startsWith(expectedVersionPrefix),
                () -> "expected Tomcat " + expectedVersionPrefix + "x on the classpath but found "
                        + ServerInfo.getServerNumber());
        EmbeddedTomcat tomcat = EmbeddedTomcat.start(Files.createTempDirectory("tomcat-contract"),
                connectorProtocol(), proxy, context -> {
                    Tomcat.addServlet(context, "app", new AppServlet());
                    context.addServletMappingDecoded(APP_SERVLET_MAPPING, "app");
                });
        this.connector = tomcat.connector;
        return new Deployment() {
            @Override
            public int port() {
                return tomcat.port();
            }

            @Override
            public void close() throws Exception {
                tomcat.close();
            }
        };
    }
}
