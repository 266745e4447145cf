package dev.wsproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.wsproxy.testing.Backend;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import java.net.URI;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.container.jdk.client.JdkClientContainer;
import org.glassfish.tyrus.core.TyrusWebSocket;
import org.junit.jupiter.api.Test;

/**
 * The zero-byte write that re-runs Tyrus's write queue after a close reaches Tyrus's web socket (a renamed
 * field in a Tyrus upgrade would fail here, not silently in production) and puts nothing on the wire: the
 * close that follows it still arrives as sent.
 */
class TyrusWriteQueueTest {

    @Test
    void zeroByteWritesReachTheWebSocketAndLeaveTheCloseIntact() throws Exception {
        try (Backend backend = Backend.start()) {
            ClientManager client = ClientManager.createClient(JdkClientContainer.class.getName());
            try {
                Session session = client.connectToServer(new Endpoint() {
                    @Override
                    public void onOpen(Session s, EndpointConfig config) {
                    }
                }, ClientEndpointConfig.Builder.create().build(), URI.create(backend.uri("/echo")));
                TyrusWebSocket webSocket = TyrusWriteQueue.webSocket(session);
                assertNotNull(webSocket, "Tyrus's web socket is reachable");
                TyrusWriteQueue.run(webSocket);
                session.close(CloseMapping.of(4001, "after a zero-byte write"));
                TyrusWriteQueue.run(webSocket);
                CloseReason atBackend = backend.takeClose();
                assertEquals(4001, atBackend.getCloseCode().getCode());
                assertEquals("after a zero-byte write", atBackend.getReasonPhrase());
            } finally {
                client.shutdown();
            }
        }
    }
}
