package dev.wsproxy.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wsproxy.servlet.WebSocketProxyInitializer;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.RawHttp;
import dev.wsproxy.testing.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WAR-style deployment on Tomcat 11: no code, only {@code WEB-INF/ws-proxy.properties}; the container finds
 * {@link WebSocketProxyInitializer} through {@code META-INF/services} as it would in {@code WEB-INF/lib}.
 */
class WarDeploymentTest {

    @TempDir
    Path dir;

    private Backend backend;
    private Tomcat tomcat;
    private Connector connector;

    @BeforeEach
    void startBackend() throws Exception {
        backend = Backend.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
        backend.close();
    }

    private Context deployWebapp(String properties) throws Exception {
        Path webapp = Files.createDirectories(dir.resolve("webapp/WEB-INF"));
        Files.writeString(webapp.resolve("ws-proxy.properties"), properties);
        tomcat = new Tomcat();
        tomcat.setBaseDir(dir.resolve("base").toString());
        connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addWebapp("/app", dir.resolve("webapp").toString());
        // Test-classpath hygiene, not product setup: the backend fixture puts Jetty's initializers on the
        // class path, which Tomcat would otherwise run too; and scanning every test jar is slow.
        ((StandardContext) context).setContainerSciFilter("org\\.eclipse\\.jetty\\..*");
        StandardJarScanner scanner = new StandardJarScanner();
        scanner.setScanClassPath(false);
        context.setJarScanner(scanner);
        ((StandardContext) context).setUnloadDelay(100);
        tomcat.start();
        return context;
    }

    @Test
    void propertiesFileInWebInfMountsTheProxyUnderTheContextPath() throws Exception {
        deployWebapp("routes = echo\nroute.echo.prefix = /ws/\nroute.echo.upstream = " + backend.uri("/") + "\n");
        try (TestClient client = TestClient.connect("ws://127.0.0.1:" + connector.getLocalPort() + "/app/ws/echo")) {
            client.sendText("via war");
            assertEquals("via war", client.next().asText());
        }
        assertEquals("/echo", backend.takeHandshake().path);
    }

    @Test
    void plainRequestsStillReachTheWebappsDefaultServlet() throws Exception {
        deployWebapp("routes = echo\nroute.echo.prefix = /ws/\nroute.echo.upstream = " + backend.uri("/") + "\n");
        RawHttp.Response response = RawHttp.exchange(connector.getLocalPort(),
                "GET /app/WEB-INF/ws-proxy.properties HTTP/1.1", "Host: 127.0.0.1", "Connection: close");
        assertEquals(404, response.status, "WEB-INF stays private: " + response);
    }

    @Test
    void stoppingTheWebappClosesItsConnectionsWith1001() throws Exception {
        Context context = deployWebapp(
                "routes = echo\nroute.echo.prefix = /ws/\nroute.echo.upstream = " + backend.uri("/") + "\n");
        TestClient client = TestClient.connect("ws://127.0.0.1:" + connector.getLocalPort() + "/app/ws/echo");
        client.sendText("ping");
        client.next();
        context.stop();
        assertEquals(1001, client.awaitClose(Duration.ofSeconds(10)).code);
        client.close();
    }

    @Test
    void brokenPropertiesFileFailsTheDeployment() throws Exception {
        Context context = deployWebapp("routes = echo\nroute.echo.prefix = /ws/\n");
        assertFalse(context.getState().isAvailable(), () -> "context state " + context.getState());
    }
}
