package dev.wsproxy.jetty;

import static dev.wsproxy.jetty.TunnelKeepaliveTest.readUntilClose;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.Payloads;
import dev.wsproxy.testing.WireFrame;
import dev.wsproxy.testing.WireSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Endings in tunnel mode on the wire: every transmittable close code with its reason passes both ways
 * unchanged; a peer that vanishes (TCP reset) gets the survivor a close frame (1014 to the client, 1001 to
 * the upstream); frame and message limits close both sides with 1009.
 */
class TunnelCloseTest {

    private static final int[] CODES = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
        3000, 4000, 4999};
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void everyCloseCodeAndReasonFromClientReachesUpstreamUnchanged() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r)) {
            for (int code : CODES) {
                try (WireSocket client = f.connect("x"); WireSocket upstream = f.upstream.take()) {
                    WireFrame close = client.sendClose(code, "client " + code + " \u00e9");
                    assertArrayEquals(close.wire, upstream.readFrame().wire, "close " + code);
                    WireFrame answer = upstream.sendClose(code, "");
                    assertArrayEquals(answer.wire, client.readFrame().wire, "close answer " + code);
                    assertTrue(client.awaitEof(WAIT) && upstream.awaitEof(WAIT), "both closed after " + code);
                }
            }
            await().atMost(WAIT).until(() -> f.proxy.activeConnections() == 0);
        }
    }

    @Test
    void everyCloseCodeAndReasonFromUpstreamReachesClientUnchanged() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r)) {
            for (int code : CODES) {
                try (WireSocket client = f.connect("x"); WireSocket upstream = f.upstream.take()) {
                    WireFrame close = upstream.sendClose(code, "upstream " + code + " \u2713");
                    assertArrayEquals(close.wire, client.readFrame().wire, "close " + code);
                    WireFrame answer = client.sendClose(code, "bye");
                    assertArrayEquals(answer.wire, upstream.readFrame().wire, "close answer " + code);
                    assertTrue(client.awaitEof(WAIT) && upstream.awaitEof(WAIT), "both closed after " + code);
                }
            }
            await().atMost(WAIT).until(() -> f.proxy.activeConnections() == 0);
        }
    }

    @Test
    void upstreamResetGetsClient1014() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            upstream.abort();
            WireFrame close = readUntilClose(client);
            assertEquals(1014, close.closeCode(), close::toString);
            assertTrue(!close.masked());
            client.sendClose(1014, "");
            assertTrue(client.awaitEof(WAIT));
            await().atMost(WAIT).until(() -> f.proxy.activeConnections() == 0);
        }
    }

    @Test
    void upstreamEndOfStreamWithoutCloseGetsClient1014() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            upstream.close();
            WireFrame close = readUntilClose(client);
            assertEquals(1014, close.closeCode(), close::toString);
            client.sendClose(1014, "");
            await().atMost(WAIT).until(() -> f.proxy.activeConnections() == 0);
        }
    }

    @Test
    void clientResetGetsUpstream1001() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            client.abort();
            WireFrame close = readUntilClose(upstream);
            assertEquals(1001, close.closeCode(), close::toString);
            assertTrue(close.masked());
            upstream.sendClose(1001, "");
            assertTrue(upstream.awaitEof(WAIT));
            await().atMost(WAIT).until(() -> f.proxy.activeConnections() == 0);
        }
    }

    /**
     * Jetty closing the client's endpoint itself (as its connector's stop does), while the tunnel reads that
     * socket on ws-proxy's own selector thread: the tunnel learns it through the endpoint's connection, and
     * the upstream gets 1001 as for a vanished client.
     */
    @Test
    void clientEndpointClosedByJettyGetsUpstream1001() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            org.eclipse.jetty.server.Connector connector = f.server.server().getConnectors()[0];
            java.util.Collection<org.eclipse.jetty.io.EndPoint> endPoints = connector.getConnectedEndPoints();
            assertEquals(1, endPoints.size(), endPoints::toString);
            endPoints.forEach(org.eclipse.jetty.io.EndPoint::close);
            WireFrame close = readUntilClose(upstream);
            assertEquals(1001, close.closeCode(), close::toString);
            upstream.sendClose(1001, "");
            assertTrue(upstream.awaitEof(WAIT));
            assertTrue(client.awaitEof(WAIT), "the client's socket was closed");
            await().atMost(WAIT).until(() -> f.proxy.activeConnections() == 0);
        }
    }

    @Test
    void clientEndOfStreamWithoutCloseGetsUpstream1001() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            client.close();
            WireFrame close = readUntilClose(upstream);
            assertEquals(1001, close.closeCode(), close::toString);
            upstream.sendClose(1001, "");
            assertTrue(upstream.awaitEof(WAIT));
            await().atMost(WAIT).until(() -> f.proxy.activeConnections() == 0);
        }
    }

    @Test
    void upstreamFrameOverMaxFrameSizeGetsBothSides1009() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r.maxFrameSize(1024)); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            WireFrame fits = upstream.sendFrame(WireFrame.BINARY, true, Payloads.binary(1024, 1));
            assertArrayEquals(fits.wire, client.readFrame().wire);
            upstream.sendFrame(WireFrame.BINARY, true, Payloads.binary(1025, 2));
            WireFrame atClient = client.readFrame();
            assertEquals(WireFrame.CLOSE, atClient.opcode, "no byte of the oversize frame is relayed: " + atClient);
            assertEquals(1009, atClient.closeCode());
            assertEquals("upstream sent a frame larger than the 1 KiB limit", atClient.closeReason());
            WireFrame atUpstream = upstream.readFrame();
            assertEquals(1009, atUpstream.closeCode(), atUpstream::toString);
            assertTrue(atUpstream.masked());
            upstream.sendClose(1009, "");
            client.sendClose(1009, "");
            await().atMost(WAIT).until(() -> f.proxy.activeConnections() == 0);
        }
    }

    @Test
    void clientMessageOverMaxMessageSizeGetsBothSides1009() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r.maxMessageSize(1000)); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            WireFrame first = client.sendFrame(WireFrame.BINARY, false, Payloads.binary(600, 1));
            assertArrayEquals(first.wire, upstream.readFrame().wire);
            client.sendFrame(WireFrame.CONTINUATION, true, Payloads.binary(401, 2));
            WireFrame atUpstream = upstream.readFrame();
            assertEquals(WireFrame.CLOSE, atUpstream.opcode, atUpstream::toString);
            assertEquals(1009, atUpstream.closeCode());
            assertEquals("client sent a message larger than the 1000 B limit", atUpstream.closeReason());
            WireFrame atClient = client.readFrame();
            assertEquals(1009, atClient.closeCode(), atClient::toString);
            assertEquals("client sent a message larger than the 1000 B limit", atClient.closeReason());
            upstream.sendClose(1009, "");
            client.sendClose(1009, "");
            await().atMost(WAIT).until(() -> f.proxy.activeConnections() == 0);
        }
    }

    @Test
    void upstreamMessageOverMaxMessageSizeGetsBothSides1009() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r.maxMessageSize(1000)); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            WireFrame first = upstream.sendFrame(WireFrame.TEXT, false, Payloads.text(1000, 1).getBytes());
            assertArrayEquals(first.wire, client.readFrame().wire);
            upstream.sendFrame(WireFrame.CONTINUATION, true, new byte[] {'x'});
            WireFrame atClient = client.readFrame();
            assertEquals(1009, atClient.closeCode(), atClient::toString);
            assertEquals("upstream sent a message larger than the 1000 B limit", atClient.closeReason());
            WireFrame atUpstream = upstream.readFrame();
            assertEquals(1009, atUpstream.closeCode(), atUpstream::toString);
            upstream.sendClose(1009, "");
            client.sendClose(1009, "");
            await().atMost(WAIT).until(() -> f.proxy.activeConnections() == 0);
        }
    }
}
