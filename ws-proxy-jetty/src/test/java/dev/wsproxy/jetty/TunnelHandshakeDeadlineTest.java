package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.RawHttp;
import dev.wsproxy.testing.WireFrame;
import dev.wsproxy.testing.WireSocket;
import dev.wsproxy.testing.WireUpstream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The handshake phase's deadlines in tunnel mode: an upstream that answers its 101 after the route's
 * connect timeout has its connection closed (the client got 504), and a client that goes away before its
 * own 101 gives its slot back within the deadline.
 */
class TunnelHandshakeDeadlineTest {

    @Test
    void upstreamAnsweringAfterTheConnectTimeoutIsClosedAndTheClientGot504() throws Exception {
        Duration timeout = Duration.ofMillis(500);
        try (WireFixture f = WireFixture.start(WireUpstream.answeringAfter(timeout.multipliedBy(3)),
                r -> r.connectTimeout(timeout))) {
            RawHttp.Response response = RawHttp.exchange(f.server.port(), "GET /ws/late HTTP/1.1",
                    "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
            assertEquals(504, response.status, response::toString);
            try (WireSocket late = f.upstream.take()) {
                assertTrue(late.awaitEof(Duration.ofSeconds(5)), "the late upstream connection is still open");
            }
            assertEquals(1, f.upstream.accepted());
            await().atMost(Duration.ofSeconds(5)).until(() -> f.proxy.activeConnections() == 0);
        }
    }

    @Test
    void clientGoneBeforeItsUpgradeGivesItsSlotBackWithinTheDeadline() throws Exception {
        Duration timeout = Duration.ofSeconds(2);
        try (WireFixture f = WireFixture.start(WireUpstream.answeringAfter(Duration.ofMillis(300)),
                r -> r.connectTimeout(timeout).maxConnections(1))) {
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress("127.0.0.1", f.server.port()), 5_000);
                client.getOutputStream().write(WireSocket.handshake(f.server.port(), "/ws/gone"));
                client.getOutputStream().flush();
                client.setSoLinger(true, 0); // the client vanishes: a reset, no answer read
            }
            try (WireSocket upstream = f.upstream.take()) {
                long start = System.nanoTime();
                upstream.readTimeout(timeout.plusSeconds(3));
                WireFrame close = upstream.readFrame();
                assertEquals(1001, close.closeCode(), close::toString);
                assertTrue(close.masked());
                assertTrue(upstream.awaitEof(Duration.ofSeconds(3)), "the upstream of a vanished client is open");
                assertTrue(System.nanoTime() - start < timeout.plusSeconds(1).toNanos(), "closed late");
            }
            await().atMost(timeout.plusSeconds(1)).until(() -> f.proxy.activeConnections() == 0);
            // the route's single slot is free again
            try (WireSocket again = f.connect("again"); WireSocket upstream = f.upstream.take()) {
                WireFrame hello = again.sendFrame(WireFrame.TEXT, true, "slot is free".getBytes());
                assertEquals(hello, upstream.readFrame());
            }
        }
    }

    @Test
    void clientGoneRightAfterItsHandshakeWithAPromptUpstreamGivesItsSlotBack() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r.connectTimeout(Duration.ofSeconds(2)).maxConnections(1))) {
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress("127.0.0.1", f.server.port()), 5_000);
                client.getOutputStream().write(WireSocket.handshake(f.server.port(), "/ws/gone"));
                client.getOutputStream().flush();
            }
            try (WireSocket upstream = f.upstream.take()) {
                WireFrame close = TunnelKeepaliveTest.readUntilClose(upstream);
                assertEquals(1001, close.closeCode(), close::toString);
                assertTrue(close.masked());
                upstream.sendClose(1001, "");
                assertTrue(upstream.awaitEof(Duration.ofSeconds(5)), "the upstream of a vanished client is open");
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> f.proxy.activeConnections() == 0);
            try (WireSocket again = f.connect("again"); WireSocket upstream = f.upstream.take()) {
                WireFrame hello = again.sendFrame(WireFrame.TEXT, true, "slot is free".getBytes());
                assertEquals(hello, upstream.readFrame());
            }
        }
    }
}
