package dev.wsproxy.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.RawWebSocket;
import jakarta.websocket.CloseReason;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
        stopWithOpenTunnels(EmbeddedTomcat.NIO);
    }

    @Test
    void stoppingTomcatSendsGoingAwayBothWaysOnNio2() throws Exception {
        stopWithOpenTunnels(EmbeddedTomcat.NIO2);
    }

    private void stopWithOpenTunnels(String protocol) throws Exception {
        try (Backend backend = Backend.start();
             WebSocketProxy proxy = WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).build()) {
            EmbeddedTomcat tomcat = EmbeddedTomcat.start(dir, protocol, proxy, context -> { });
            RawWebSocket[] clients = new RawWebSocket[3];
            try {
                for (int i = 0; i < clients.length; i++) {
                    clients[i] = RawWebSocket.connect(tomcat.port(), "/ws/echo");
                    clients[i].sendFrame(RawWebSocket.TEXT, true, ("c" + i).getBytes(StandardCharsets.UTF_8));
                    assertEquals("c" + i, new String(clients[i].readMessage(), StandardCharsets.UTF_8));
                }
                long start = System.nanoTime();
                tomcat.close();
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
