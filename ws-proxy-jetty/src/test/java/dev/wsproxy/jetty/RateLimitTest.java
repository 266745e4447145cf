package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.RateLimit;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.WireFrame;
import dev.wsproxy.testing.WireSocket;
import dev.wsproxy.testing.WireUpstream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Per-connection rate limits, tunnel and message mode: a client sending ten times its limit reaches the upstream
 * at the limit (within 10 %, measured from the upstream's own arrival times over 3 s after a 1 s warm-up), the
 * upstream never receives more than the limit plus the documented burst at any moment, and with the close
 * action the client gets 1008.
 */
class RateLimitTest {

    private static final int LIMIT_MESSAGES = 200;
    private static final int LIMIT_BYTES = 100_000;

    @ParameterizedTest
    @EnumSource(ProxyRoute.RelayMode.class)
    void messagesPerSecondHoldAtTheLimitWhileTheClientSendsTenTimesAsMany(ProxyRoute.RelayMode mode)
            throws Exception {
        RateLimit limit = RateLimit.builder().messagesPerSecond(LIMIT_MESSAGES).build();
        List<long[]> arrivals = flood(mode, limit, 64, LIMIT_MESSAGES * 10);
        assertRate(arrivals, LIMIT_MESSAGES, false);
    }

    @ParameterizedTest
    @EnumSource(ProxyRoute.RelayMode.class)
    void bytesPerSecondHoldAtTheLimitWhileTheClientSendsTenTimesAsMany(ProxyRoute.RelayMode mode) throws Exception {
        RateLimit limit = RateLimit.builder().bytesPerSecond(LIMIT_BYTES).build();
        List<long[]> arrivals = flood(mode, limit, 1000, LIMIT_BYTES * 10 / 1000);
        assertRate(arrivals, LIMIT_BYTES, true);
    }

    @ParameterizedTest
    @EnumSource(ProxyRoute.RelayMode.class)
    void closeActionEndsAFloodingClientWith1008(ProxyRoute.RelayMode mode) throws Exception {
        RateLimit limit = RateLimit.builder().messagesPerSecond(50).action(RateLimit.Action.CLOSE).build();
        try (WireUpstream upstream = WireUpstream.start(); Setup setup = new Setup(upstream, mode, limit);
             WireSocket client = WireSocket.connect(setup.server.port(), "/ws/flood")) {
            WireSocket atUpstream = upstream.take();
            atUpstream.readInBackground(true);
            setup.sendEvery10Ms(client, 64, 500 / 100);
            WireFrame close;
            do {
                close = client.readFrame();
            } while (close.opcode != WireFrame.CLOSE);
            assertEquals(1008, ByteBuffer.wrap(close.payload).getShort() & 0xFFFF);
            String reason = new String(close.payload, 2, close.payload.length - 2, StandardCharsets.UTF_8);
            assertTrue(reason.contains("rate limit"), reason);
        }
    }

    /** Floods for ~4 s at {@code perSecond} messages of {@code size} bytes; returns (nanos, payload) per arrival. */
    private static List<long[]> flood(ProxyRoute.RelayMode mode, RateLimit limit, int size, int perSecond)
            throws Exception {
        try (WireUpstream upstream = WireUpstream.start(); Setup setup = new Setup(upstream, mode, limit);
             WireSocket client = WireSocket.connect(setup.server.port(), "/ws/flood")) {
            WireSocket atUpstream = upstream.take();
            setup.sendEvery10Ms(client, size, perSecond / 100);
            List<long[]> arrivals = new ArrayList<>();
            long first = 0;
            while (true) {
                WireFrame frame = atUpstream.readFrame();
                long now = System.nanoTime();
                if (frame.opcode == WireFrame.PING) {
                    atUpstream.sendFrame(WireFrame.PONG, true, frame.payload);
                    continue;
                }
                if (arrivals.isEmpty()) {
                    first = now;
                }
                arrivals.add(new long[] {now - first, frame.payload.length});
                if (now - first > TimeUnit.SECONDS.toNanos(4)) {
                    return arrivals;
                }
            }
        }
    }

    /** The rate over [1 s, 4 s] is the limit ± 10 %, and no prefix of the arrivals ever exceeds limit + burst. */
    private static void assertRate(List<long[]> arrivals, double limit, boolean bytes) {
        double inWindow = 0;
        double total = 0;
        long windowStart = TimeUnit.SECONDS.toNanos(1);
        long windowEnd = TimeUnit.SECONDS.toNanos(4);
        for (long[] arrival : arrivals) {
            double amount = bytes ? arrival[1] : 1;
            total += amount;
            if (arrival[0] >= windowStart && arrival[0] < windowEnd) {
                inWindow += amount;
            }
            // the burst: a full bucket (0.25 s), the read that overdraws it (~50 ms), bytes that arrived with the
            // handshake, one message counted before it is complete
            double allowed = limit * (arrival[0] / 1e9) + limit * 0.4 + (bytes ? 1000 : 1);
            assertTrue(total <= allowed, "the upstream received " + total + " by " + arrival[0] / 1e6
                    + " ms, more than the limit allows (" + allowed + ")");
        }
        double rate = inWindow / 3.0;
        assertTrue(Math.abs(rate - limit) <= limit * 0.1, "rate at the upstream was " + rate + " for a limit of "
                + limit + " (" + arrivals.size() + " messages)");
    }

    /** A proxy with the limit on /ws/ to the upstream, and a client sending on a timer. */
    private static final class Setup implements AutoCloseable {
        final WebSocketProxy proxy;
        final JettyProxyServer server;
        final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();

        Setup(WireUpstream upstream, ProxyRoute.RelayMode mode, RateLimit limit) throws Exception {
            proxy = WebSocketProxy.builder().route(ProxyRoute.prefix("/ws/").upstream(upstream.uri("/"))
                    .relayMode(mode).rateLimit(limit).build()).drainTimeout(Duration.ofSeconds(1)).build();
            server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0));
        }

        /** Sends {@code count} binary messages of {@code size} bytes every 10 ms until closed or the socket fails. */
        void sendEvery10Ms(WireSocket client, int size, int count) {
            byte[] payload = new byte[size];
            sender.scheduleAtFixedRate(() -> {
                try {
                    for (int i = 0; i < count; i++) {
                        client.sendFrame(WireFrame.BINARY, true, payload);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e); // ends the schedule
                }
            }, 0, 10, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() throws Exception {
            sender.shutdownNow();
            sender.awaitTermination(5, TimeUnit.SECONDS);
            server.close();
            proxy.close();
        }
    }
}
