package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.RawUpstream;
import dev.wsproxy.testing.RawWebSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * A close frame a peer sent outranks the write failure that its leaving causes: an upstream that answers a
 * streaming client with 1009 and drops its socket makes the proxy's next writes to it fail, yet the client
 * must get the 1009, not 1014 "upstream connection lost". Run many times, since it is a race.
 */
class CloseOutranksWriteFailureTest {

    private static final int RUNS = 40;

    @Test
    void upstreamCloseWinsOverTheFailedWritesItCausesEveryTime() throws Exception {
        try (RawUpstream upstream = RawUpstream.scripted(connection -> {
                connection.readSkippingControl();
                connection.sendClose(1009, "too big for the upstream");
                connection.socket().close();
            });
             WebSocketProxy proxy = WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/ws/").upstream(upstream.uri("/")).build())
                     .build();
             JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0))) {
            byte[] chunk = new byte[64 * 1024];
            for (int run = 0; run < RUNS; run++) {
                // a raw client: its reader sees the close frame even if its writer has already hit the reset
                // (a library client may report its own write error first and never show the close)
                RawWebSocket client = RawWebSocket.connect(server.port(), "/ws/stream");
                try {
                    Thread writer = new Thread(() -> {
                        try {
                            for (int sent = 0; sent < 500; sent++) {
                                client.sendFrame(RawWebSocket.BINARY, true, chunk);
                            }
                        } catch (IOException expected) {
                            // the proxy closed the connection after its close frame
                        }
                    }, "streaming-client");
                    writer.setDaemon(true);
                    writer.start();
                    String close = client.awaitClose();
                    assertEquals("1009 too big for the upstream", close, "run " + run);
                    writer.join(10_000);
                } finally {
                    client.abort();
                }
            }
        }
    }
}
