package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.Payloads;
import dev.wsproxy.testing.WireFrame;
import dev.wsproxy.testing.WireSocket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keepalive in tunnel mode, seen on the wire: the proxy's pings go in at frame boundaries, also between
 * the fragments of a message being sent slowly (masked toward the upstream), the pongs that answer them
 * are not forwarded, and a peer that answers nothing is closed with the reason sent to the other side.
 */
class TunnelKeepaliveTest {

    private static final Duration PING = Duration.ofMillis(200);
    private static final Duration FRAGMENT_GAP = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void pingsGoBetweenSlowFragmentsAndTheirPongsAreNotForwarded() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r.pingInterval(PING)); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            WireSocket.FrameRecorder atUpstream = upstream.readInBackground(true);
            List<WireFrame> fragments = List.of(
                    WireFrame.encode(WireFrame.TEXT, false, Payloads.text(100, 1).getBytes(), key()),
                    WireFrame.encode(WireFrame.CONTINUATION, false, Payloads.text(300, 2).getBytes(), key()),
                    WireFrame.encode(WireFrame.CONTINUATION, true, Payloads.text(70_000, 3).getBytes(), key()));
            int pingsAtClient = 0;
            for (WireFrame fragment : fragments) {
                client.send(fragment);
                pingsAtClient += answerPingsFor(client, FRAGMENT_GAP);
            }
            assertTrue(pingsAtClient >= fragments.size(), "the client saw " + pingsAtClient + " proxy pings in "
                    + fragments.size() + " gaps of " + FRAGMENT_GAP.toMillis() + " ms");

            // at the upstream: the fragments intact and in order, proxy pings (masked) between them, no pong
            int fragment = 0;
            int pingsBetween = 0;
            List<String> seen = new ArrayList<>();
            while (fragment < fragments.size()) {
                WireFrame frame = atUpstream.next(WAIT);
                seen.add(frame.toString());
                if (frame.opcode == WireFrame.PING) {
                    assertTrue(frame.masked(), "a ping to the upstream must be masked: " + frame);
                    pingsBetween += fragment > 0 ? 1 : 0;
                    continue;
                }
                assertTrue(frame.opcode != WireFrame.PONG, "a pong reached the upstream: " + seen);
                assertArrayEquals(fragments.get(fragment).wire, frame.wire, "fragment " + fragment);
                fragment++;
            }
            assertTrue(pingsBetween >= 2, "no proxy ping between the fragments: " + seen);
            // the client's pongs answered the proxy's pings: none of them is relayed, even later
            client.sendFrame(WireFrame.TEXT, true, "after".getBytes());
            WireFrame after = atUpstream.nextData(WAIT);
            assertEquals("after", after.payloadText());
            for (WireFrame frame : atUpstream.drain()) {
                assertTrue(frame.opcode != WireFrame.PONG, "a pong reached the upstream: " + frame);
            }
        }
    }

    /**
     * Data from the client shows it is alive, so the proxy pings again before the pong to its previous ping
     * arrived: the late pong answers the proxy too and must not reach the upstream.
     */
    @Test
    void aPongToAnOlderPingOfTheProxyIsNotForwardedEither() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r.pingInterval(PING)); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            WireSocket.FrameRecorder atUpstream = upstream.readInBackground(true);
            WireFrame first = client.readFrame();
            assertEquals(WireFrame.PING, first.opcode);
            client.sendFrame(WireFrame.TEXT, true, "alive".getBytes());
            WireFrame second = client.readFrame();
            assertEquals(WireFrame.PING, second.opcode);
            client.sendFrame(WireFrame.PONG, true, first.payload);
            client.sendFrame(WireFrame.PONG, true, second.payload);
            client.sendFrame(WireFrame.TEXT, true, "after".getBytes());
            List<WireFrame> seen = new ArrayList<>();
            while (seen.isEmpty() || !"after".equals(seen.get(seen.size() - 1).payloadText())) {
                WireFrame frame = atUpstream.next(WAIT);
                assertTrue(frame.opcode != WireFrame.PONG, "a pong reached the upstream: " + frame);
                seen.add(frame);
            }
        }
    }

    @Test
    void pingsToTheClientAreUnmaskedAndTheUpstreamsPongsAreNotForwarded() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r.pingInterval(PING)); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            upstream.readInBackground(true);
            List<WireFrame> atClient = new ArrayList<>();
            client.readTimeout(Duration.ofMillis(100));
            long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            while (System.nanoTime() < end) {
                try {
                    WireFrame frame = client.readFrame();
                    atClient.add(frame);
                    if (frame.opcode == WireFrame.PING) {
                        client.sendFrame(WireFrame.PONG, true, frame.payload);
                    }
                } catch (SocketTimeoutException e) {
                    // nothing this instant
                }
            }
            assertTrue(atClient.size() >= 3, "pings at the client: " + atClient);
            for (WireFrame frame : atClient) {
                assertEquals(WireFrame.PING, frame.opcode, "only the proxy's pings reach an idle client: " + atClient);
                assertTrue(!frame.masked(), "pings to the client are not masked: " + frame);
            }
        }
    }

    @Test
    void upstreamThatAnswersNoPingIsClosedAndClientGets1014WithReason() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r.pingInterval(PING)); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            WireSocket.FrameRecorder atUpstream = upstream.readInBackground(false);
            WireFrame close = readUntilClose(client);
            assertEquals(1014, close.closeCode());
            assertEquals("upstream did not answer ping within 200ms (after 0 successful ping/pongs)",
                    close.closeReason());
            client.sendClose(1014, "");
            assertTrue(atUpstream.next(WAIT).opcode == WireFrame.PING);
            await().atMost(WAIT).until(() -> f.proxy.activeConnections() == 0);
        }
    }

    @Test
    void clientThatAnswersNoPingIsClosedAndUpstreamGets1001WithReason() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r.pingInterval(PING)); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            WireSocket.FrameRecorder atClient = client.readInBackground(false);
            WireFrame close = readUntilClose(upstream);
            assertEquals(1001, close.closeCode());
            assertTrue(close.masked());
            assertTrue(close.closeReason().startsWith("client did not answer ping within 200ms"), close.closeReason());
            upstream.sendClose(1001, "");
            assertEquals(WireFrame.PING, atClient.next(WAIT).opcode);
            await().atMost(WAIT).until(() -> f.proxy.activeConnections() == 0);
        }
    }

    /** Reads frames for {@code gap}, answering pings; returns how many pings came. */
    private static int answerPingsFor(WireSocket socket, Duration gap) throws Exception {
        int pings = 0;
        long end = System.nanoTime() + gap.toNanos();
        socket.readTimeout(Duration.ofMillis(50));
        while (System.nanoTime() < end) {
            try {
                WireFrame frame = socket.readFrame();
                assertEquals(WireFrame.PING, frame.opcode, () -> "unexpected " + frame);
                socket.sendFrame(WireFrame.PONG, true, frame.payload);
                pings++;
            } catch (SocketTimeoutException e) {
                // nothing this instant
            }
        }
        socket.readTimeout(WAIT);
        return pings;
    }

    /** Reads (answering pings) until a close frame arrives, which is returned. */
    static WireFrame readUntilClose(WireSocket socket) throws Exception {
        socket.readTimeout(WAIT);
        while (true) {
            WireFrame frame = socket.readFrame();
            if (frame.opcode == WireFrame.CLOSE) {
                return frame;
            }
            if (frame.opcode == WireFrame.PING) {
                socket.sendFrame(WireFrame.PONG, true, frame.payload);
            }
        }
    }

    private static byte[] key() {
        byte[] key = new byte[4];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(key);
        return key;
    }
}
