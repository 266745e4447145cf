package dev.wsproxy.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.WebSocketProxyRegistration;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.RawWebSocket;
import jakarta.websocket.CloseReason;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping Tomcat with tunnels open whose client sockets the tunnel reads itself (NIO) or through their
 * asynchronous channel (NIO2): Tomcat closes every client connection as it stops (as it does any upgraded
 * one), each upstream is told 1001 at once, and the stop does not wait on the tunnels. (The proxy belongs to
 * the application, which closes it: then the clients get 1001 too, before Tomcat stops.)
 */
class TomcatStopTest {

    @TempDir
    Path dir;

    @Test
    void stoppingTomcatSendsGoingAwayBothWaysOnNio() throws Exception {
        stopWithOpenTunnels("HTTP/1.1");
    }

    @Test
    void stoppingTomcatSendsGoingAwayBothWaysOnNio2() throws Exception {
        stopWithOpenTunnels("org.apache.coyote.http11.Http11Nio2Protocol");
    }

    private void stopWithOpenTunnels(String protocol) throws Exception {
        try (Backend backend = Backend.start();
             WebSocketProxy proxy = WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).build()) {
            Tomcat tomcat = new Tomcat();
            tomcat.setBaseDir(Files.createDirectories(dir.resolve("tomcat")).toString());
            Connector connector = new Connector(protocol);
            connector.setPort(0);
            connector.setProperty("address", "127.0.0.1");
            tomcat.setConnector(connector);
            Context context = tomcat.addContext("", null);
            context.addServletContainerInitializer(
                    (classes, servletContext) -> WebSocketProxyRegistration.register(servletContext, proxy), null);
            tomcat.start();
            RawWebSocket[] clients = new RawWebSocket[3];
            try {
                for (int i = 0; i < clients.length; i++) {
                    clients[i] = RawWebSocket.connect(connector.getLocalPort(), "/ws/echo");
                    clients[i].sendFrame(RawWebSocket.TEXT, true, ("c" + i).getBytes(StandardCharsets.UTF_8));
                    assertEquals("c" + i, new String(clients[i].readMessage(), StandardCharsets.UTF_8));
                }
                long start = System.nanoTime();
                tomcat.stop();
                tomcat.destroy();
                long tookMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(tookMillis < 5_000, "Tomcat's stop took " + tookMillis + " ms");
                for (RawWebSocket client : clients) {
                    assertThrows(EOFException.class, client::awaitClose, "Tomcat closed the connection");
                }
                for (int i = 0; i < clients.length; i++) {
                    CloseReason atUpstream = backend.takeClose();
                    assertEquals(1001, atUpstream.getCloseCode().getCode());
                    assertEquals("client connection lost", atUpstream.getReasonPhrase());
                }
            } finally {
                for (RawWebSocket client : clients) {
                    if (client != null) {
                        client.close();
                    }
                }
            }
        }
    }
}
