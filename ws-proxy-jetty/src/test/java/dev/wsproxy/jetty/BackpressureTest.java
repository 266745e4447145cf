package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.Payloads;
import dev.wsproxy.testing.TestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * 1 GiB each way through the proxy to a peer that reads at 64 MiB/s while the other pushes as fast as it
 * can. Backpressure must reach the fast side (the proxy sends inside its read handlers), so the heap after
 * GC stays flat, and the stream arrives byte for byte (SHA-256 over the whole stream). Both relay modes:
 * the tunnel holds at most one pooled buffer per direction (issue 14: heap growth under 32 MiB); message
 * mode sends inside its read handlers (under 64 MiB).
 */
class BackpressureTest {

    private static final int MESSAGE = 1 << 20;
    private static final int MESSAGES = 1024;
    private static final long SEED = 7;
    private static final long READ_RATE_BYTES_PER_SECOND = 64L << 20;

    private static long heapGrowthLimit(ProxyRoute.RelayMode mode) {
        return mode == ProxyRoute.RelayMode.TUNNEL ? 32L << 20 : 64L << 20;
    }

    private static ProxyFixture start(ProxyRoute.RelayMode mode) throws Exception {
        return ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).relayMode(mode).build())
                .build());
    }

    @ParameterizedTest
    @EnumSource(ProxyRoute.RelayMode.class)
    void fastUpstreamToSlowClientKeepsHeapFlatAndLosesNothing(ProxyRoute.RelayMode mode) throws Exception {
        try (ProxyFixture f = start(mode); HeapSampler heap = new HeapSampler()) {
            SlowReader reader = new SlowReader();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create(f.uri("/ws/control")), reader).get(10, TimeUnit.SECONDS);
            ws.sendText("push " + MESSAGES + " " + MESSAGE + " " + SEED, true).get(10, TimeUnit.SECONDS);
            String expected = expectedDigest();
            assertEquals(expected, reader.done.get(120, TimeUnit.SECONDS), "the relayed stream differs");
            assertEquals((long) MESSAGE * MESSAGES, reader.bytes.get());
            ws.sendClose(1000, "").get(10, TimeUnit.SECONDS);
            heap.assertGrowthBelow(heapGrowthLimit(mode), mode + ": 1 GiB from a fast upstream to a slow client");
        }
    }

    @ParameterizedTest
    @EnumSource(ProxyRoute.RelayMode.class)
    void fastClientToSlowUpstreamKeepsHeapFlatAndLosesNothing(ProxyRoute.RelayMode mode) throws Exception {
        try (ProxyFixture f = start(mode); HeapSampler heap = new HeapSampler();
             TestClient client = TestClient.connect(f.uri("/ws/sink"))) {
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < MESSAGES; i++) {
                byte[] data = Payloads.binary(MESSAGE, SEED + i);
                sent.update(data);
                client.sendBinary(data);
            }
            client.sendText("digest");
            String report = client.next(Duration.ofSeconds(120)).asText();
            assertEquals((long) MESSAGE * MESSAGES + " " + HexFormat.of().formatHex(sent.digest()), report);
            heap.assertGrowthBelow(heapGrowthLimit(mode), mode + ": 1 GiB from a fast client to a slow upstream");
        }
    }

    private static String expectedDigest() throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < MESSAGES; i++) {
            digest.update(Payloads.binary(MESSAGE, SEED + i));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Samples the heap after GC every 500 ms; the peak minus the starting level is the growth. */
    static final class HeapSampler implements AutoCloseable {
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        private final long baseline = heapAfterGc();
        private final AtomicLong peak = new AtomicLong(baseline);

        HeapSampler() {
            sampler.scheduleWithFixedDelay(() -> peak.accumulateAndGet(heapAfterGc(), Math::max),
                    500, 500, TimeUnit.MILLISECONDS);
        }

        void assertGrowthBelow(long limit, String what) {
            long growth = peak.get() - baseline;
            System.out.printf("%s: heap after GC baseline %d MiB, peak %d MiB, growth %d MiB%n",
                    what, baseline >> 20, peak.get() >> 20, growth >> 20);
            assertTrue(growth < limit, what + ": heap grew by " + (growth >> 20) + " MiB");
        }

        private static long heapAfterGc() {
            System.gc();
            Runtime rt = Runtime.getRuntime();
            return rt.totalMemory() - rt.freeMemory();
        }

        @Override
        public void close() {
            sampler.shutdownNow();
        }
    }

    /** Reads at {@link #READ_RATE_BYTES_PER_SECOND} by delaying its demand, hashing the stream. */
    private static final class SlowReader implements WebSocket.Listener {
        final CompletableFuture<String> done = new CompletableFuture<>();
        final AtomicLong bytes = new AtomicLong();
        private final MessageDigest digest;
        private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        private long startNanos;
        private long messages;

        SlowReader() throws Exception {
            digest = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            if (startNanos == 0) {
                startNanos = System.nanoTime();
            }
            long total = bytes.addAndGet(data.remaining());
            digest.update(data);
            if (last && ++messages == MESSAGES) {
                done.complete(HexFormat.of().formatHex(digest.digest()));
                pacer.shutdown();
                return null;
            }
            long wait = startNanos + total * 1_000_000_000L / READ_RATE_BYTES_PER_SECOND - System.nanoTime();
            if (wait > 0) {
                pacer.schedule(() -> ws.request(1), wait, TimeUnit.NANOSECONDS);
            } else {
                ws.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            done.completeExceptionally(new AssertionError("closed after " + bytes.get() + " bytes: " + code + " "
                    + reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            done.completeExceptionally(error);
        }
    }

    static {
        // the sink's read rate is what makes the upstream slow; keep the two in step
        assertEquals(READ_RATE_BYTES_PER_SECOND, Backend.SINK_BYTES_PER_SECOND);
    }
}
