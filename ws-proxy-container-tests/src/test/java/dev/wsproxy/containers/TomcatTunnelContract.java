package dev.wsproxy.containers;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.RawWebSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.coyote.AbstractProtocol;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;

/**
 * The container contract on Tomcat in tunnel mode, plus what only Tomcat's tunnel has: how its client side uses
 * Tomcat's threads, and that ended tunnels reach Tomcat's own bookkeeping.
 */
abstract class TomcatTunnelContract extends TomcatContract {

    /**
     * Whether a tunnel reads this connector's connections on its own selector loop (plain NIO), rather than
     * with asynchronous reads that complete on Tomcat's pool (NIO2).
     */
    boolean tunnelReadsTheSocketItself() {
        return true;
    }

    /**
     * Tunnel mode: on plain NIO, 200 echoed messages take (next to) no task on Tomcat's executor, as the tunnel
     * reads and writes the socket on its own loop; on NIO2 each asynchronous read completes on Tomcat's pool.
     */
    @Test
    void tunnelMessagesTakeTomcatThreadsOnlyWhereTheSocketCannotBeHandedOver() throws Exception {
        ThreadPoolExecutor executor = (ThreadPoolExecutor) connector.getProtocolHandler().getExecutor();
        try (RawWebSocket client = RawWebSocket.connect(proxyPort(), "/ws/echo")) {
            client.sendFrame(RawWebSocket.TEXT, true, "warm".getBytes(StandardCharsets.UTF_8));
            assertEquals("warm", new String(client.readMessage(), StandardCharsets.UTF_8));
            long before = executor.getCompletedTaskCount();
            for (int i = 0; i < 200; i++) {
                client.sendFrame(RawWebSocket.TEXT, true, ("m" + i).getBytes(StandardCharsets.UTF_8));
                assertEquals("m" + i, new String(client.readMessage(), StandardCharsets.UTF_8));
            }
            long tasks = executor.getCompletedTaskCount() - before;
            if (tunnelReadsTheSocketItself()) {
                assertTrue(tasks < 20, () -> tasks + " Tomcat tasks for 200 echoed messages");
            } else {
                assertTrue(tasks >= 150, () -> "only " + tasks + " Tomcat tasks for 200 echoed messages");
            }
        }
    }

    /**
     * Tunnel mode: tunnels ended every way (the client's close, the upstream's close, a client that vanishes, the
     * upstream's connection reset) leave Tomcat no connection counted and no upgrade processor waiting: the
     * close reached Tomcat's own bookkeeping ({@code maxConnections} and its processor list).
     */
    @Test
    void endedTunnelsLeaveTomcatNoConnectionAndNoProcessor() throws Exception {
        AbstractProtocol<?> protocol = (AbstractProtocol<?>) connector.getProtocolHandler();
        await().atMost(Duration.ofSeconds(10)).until(() -> protocol.getConnectionCount() <= 1);
        long connectionsBefore = protocol.getConnectionCount();
        int processorsBefore = protocol.getWaitingProcessorCount();
        for (int i = 0; i < 25; i++) {
            try (RawWebSocket client = RawWebSocket.connect(proxyPort(), "/raw/close")) {
                client.sendClose(1000, "client done");
                assertEquals("1000 client done", client.awaitClose());
            }
            try (RawWebSocket client = RawWebSocket.connect(proxyPort(), "/raw/close")) {
                client.sendFrame(RawWebSocket.TEXT, true, "close 4000".getBytes(StandardCharsets.UTF_8));
                assertEquals("4000 upstream 4000", client.awaitClose());
            }
            RawWebSocket.connect(proxyPort(), "/ws/echo").abort();
            try (RawWebSocket client = RawWebSocket.connect(proxyPort(), "/raw/reset")) {
                client.sendFrame(RawWebSocket.TEXT, true, "reset".getBytes(StandardCharsets.UTF_8));
                assertEquals("1014 upstream connection lost", client.awaitClose());
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertTrue(protocol.getConnectionCount() <= connectionsBefore,
                    () -> protocol.getConnectionCount() + " connections counted, " + connectionsBefore + " before");
            assertTrue(protocol.getWaitingProcessorCount() <= processorsBefore,
                    () -> protocol.getWaitingProcessorCount() + " processors waiting, " + processorsBefore + " before");
        });
    }

    /**
     * A client that goes on sending a frame over the route's message limit (a TiB: more than the proxy drains while
     * it waits for the close handshake) gets 1009, and then its connection ends while it is still sending: the
     * socket is closed at once (with bytes still unread), not left open until the tunnel's selector woke up for
     * something else, which left such a client blocked in its write.
     */
    @Test
    void aClientStillSendingAFrameOverTheLimitGets1009AndItsConnectionEnds() throws Exception {
        RawWebSocket client = RawWebSocket.connect(proxyPort(), "/small/echo");
        try {
            CompletableFuture<Throwable> sending = CompletableFuture.supplyAsync(() -> {
                try {
                    client.sendFrameHeaderAndPayloadForever(RawWebSocket.BINARY, 1L << 40);
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            assertEquals("1009 client sent a message larger than the 64 KiB limit", client.awaitClose());
            Throwable ended = sending.get(10, TimeUnit.SECONDS);
            assertTrue(ended instanceof IOException, () -> "the client's write ended with " + ended);
        } finally {
            client.abort(); // no close frame: the connection is gone
        }
    }
}
