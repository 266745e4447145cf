package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wsproxy.testing.Payloads;
import dev.wsproxy.testing.WireFrame;
import dev.wsproxy.testing.WireSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tunnel mode relays every frame shape byte for byte, both ways: each length encoding (7-bit up to 125,
 * 16-bit 126..65535, 64-bit from 65536, and a few MiB), fragmented messages with pings and pongs between
 * the fragments, and close frames. Client frames reach the upstream still masked with the client's own
 * keys; the proxy neither unmasks, re-frames nor coalesces.
 */
class TunnelFrameRelayTest {

    private static final int[] LENGTHS = {0, 1, 125, 126, 127, 65535, 65536, 3 * 1024 * 1024 + 7};

    /** Every shape once: single frames of each length, then a fragmented message with control frames inside. */
    private static List<WireFrame> shapes(boolean masked) {
        List<WireFrame> frames = new ArrayList<>();
        int seed = 0;
        for (int length : LENGTHS) {
            frames.add(frame(WireFrame.BINARY, true, Payloads.binary(length, ++seed), masked));
            frames.add(frame(WireFrame.TEXT, true, Payloads.text(length, ++seed).getBytes(StandardCharsets.UTF_8),
                    masked));
        }
        frames.add(frame(WireFrame.TEXT, false, "first ".getBytes(StandardCharsets.UTF_8), masked));
        frames.add(frame(WireFrame.PING, true, "between fragments".getBytes(StandardCharsets.UTF_8), masked));
        frames.add(frame(WireFrame.CONTINUATION, false, Payloads.binary(70_000, 99), masked));
        frames.add(frame(WireFrame.PONG, true, "unsolicited pong".getBytes(StandardCharsets.UTF_8), masked));
        frames.add(frame(WireFrame.CONTINUATION, false, new byte[0], masked));
        frames.add(frame(WireFrame.PING, true, new byte[125], masked));
        frames.add(frame(WireFrame.CONTINUATION, true, "last".getBytes(StandardCharsets.UTF_8), masked));
        frames.add(frame(WireFrame.BINARY, false, Payloads.binary(126, 5), masked));
        frames.add(frame(WireFrame.CONTINUATION, true, Payloads.binary(65536, 6), masked));
        return frames;
    }

    private static WireFrame frame(int opcode, boolean fin, byte[] payload, boolean masked) {
        byte[] key = null;
        if (masked) {
            key = new byte[4];
            ThreadLocalRandom.current().nextBytes(key);
        }
        return WireFrame.encode(opcode, fin, payload, key);
    }

    @Test
    void clientFramesReachUpstreamByteForByteWithTheClientsMaskingKeys() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            List<WireFrame> sent = shapes(true);
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> sendAll(client, sent));
            for (WireFrame expected : sent) {
                WireFrame got = upstream.readFrame();
                assertEquals(expected.toString(), got.toString());
                assertArrayEquals(expected.maskKey, got.maskKey, "masking key of " + expected);
                assertArrayEquals(expected.wire, got.wire, "wire bytes of " + expected);
            }
            writing.get(30, TimeUnit.SECONDS);
            assertCloseRelayed(client, upstream, true);
        }
    }

    @Test
    void upstreamFramesReachClientByteForByte() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            List<WireFrame> sent = shapes(false);
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> sendAll(upstream, sent));
            for (WireFrame expected : sent) {
                WireFrame got = client.readFrame();
                assertEquals(expected.toString(), got.toString());
                assertArrayEquals(expected.wire, got.wire, "wire bytes of " + expected);
            }
            writing.get(30, TimeUnit.SECONDS);
            assertCloseRelayed(client, upstream, false);
        }
    }

    @Test
    void bothDirectionsAtOnceStayByteExact() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            List<WireFrame> fromClient = shapes(true);
            List<WireFrame> fromUpstream = shapes(false);
            CompletableFuture<Void> clientWriting = CompletableFuture.runAsync(() -> sendAll(client, fromClient));
            CompletableFuture<Void> upstreamWriting = CompletableFuture.runAsync(() -> sendAll(upstream, fromUpstream));
            CompletableFuture<Void> upstreamReading = CompletableFuture.runAsync(() -> {
                for (WireFrame expected : fromClient) {
                    assertArrayEquals(expected.wire, read(upstream).wire, "client -> upstream " + expected);
                }
            });
            for (WireFrame expected : fromUpstream) {
                assertArrayEquals(expected.wire, client.readFrame().wire, "upstream -> client " + expected);
            }
            upstreamReading.get(30, TimeUnit.SECONDS);
            clientWriting.get(30, TimeUnit.SECONDS);
            upstreamWriting.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void frameHeadersSplitAcrossReadsStayByteExactBothWays() throws Exception {
        try (WireFixture f = WireFixture.start(r -> r); WireSocket client = f.connect("x");
             WireSocket upstream = f.upstream.take()) {
            List<WireFrame> fromClient = shapes(true);
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> sendDribbled(client, fromClient));
            for (WireFrame expected : fromClient) {
                assertArrayEquals(expected.wire, upstream.readFrame().wire, "client -> upstream " + expected);
            }
            writing.get(30, TimeUnit.SECONDS);
            List<WireFrame> fromUpstream = shapes(false);
            writing = CompletableFuture.runAsync(() -> sendDribbled(upstream, fromUpstream));
            for (WireFrame expected : fromUpstream) {
                assertArrayEquals(expected.wire, client.readFrame().wire, "upstream -> client " + expected);
            }
            writing.get(30, TimeUnit.SECONDS);
            assertCloseRelayed(client, upstream, true);
        }
    }

    /**
     * Each frame's header (and the first payload byte) one byte per TCP segment, so the proxy reads every
     * header in pieces; control frames wholly so; then the rest of the payload in one write.
     */
    private static void sendDribbled(WireSocket socket, List<WireFrame> frames) {
        try {
            for (WireFrame frame : frames) {
                int len7 = frame.wire[1] & 0x7F;
                int header = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((frame.wire[1] & 0x80) != 0 ? 4 : 0);
                int opcode = frame.wire[0] & 0x0F;
                int dribble = opcode >= 8 ? frame.wire.length : Math.min(frame.wire.length, header + 1);
                socket.sendInPieces(java.util.Arrays.copyOfRange(frame.wire, 0, dribble), 1);
                if (dribble < frame.wire.length) {
                    socket.send(java.util.Arrays.copyOfRange(frame.wire, dribble, frame.wire.length));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A close frame (code, reason, the sender's masking) passes unchanged; the answer goes back unchanged. */
    private static void assertCloseRelayed(WireSocket client, WireSocket upstream, boolean clientFirst)
            throws Exception {
        WireSocket first = clientFirst ? client : upstream;
        WireSocket second = clientFirst ? upstream : client;
        WireFrame close = first.sendClose(4321, "done with \u00e9\u2713");
        WireFrame got = second.readFrame();
        assertArrayEquals(close.wire, got.wire, "close frame");
        WireFrame answer = second.sendClose(4321, "ok");
        assertArrayEquals(answer.wire, first.readFrame().wire, "close answer");
        assertEquals(true, first.awaitEof(java.time.Duration.ofSeconds(10)), "connection closed after the close");
    }

    private static WireFrame read(WireSocket socket) {
        try {
            return socket.readFrame();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void sendAll(WireSocket socket, List<WireFrame> frames) {
        try {
            for (WireFrame frame : frames) {
                socket.send(frame);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
