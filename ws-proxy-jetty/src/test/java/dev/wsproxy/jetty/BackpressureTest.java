package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * 1 GiB through the proxy to a client that reads slowly, echoed by the upstream, so both of the proxy's
 * write directions are throttled by a slow reader: the client reads at a fixed rate, the upstream's echo
 * blocks on the proxy, so the upstream in turn reads the client's stream slowly. The heap after GC must
 * stay flat and the stream must come back byte for byte.
 */
class BackpressureTest {

    private static final int MESSAGE = 1 << 20;
    private static final int MESSAGES = 1024;
    private static final long READ_RATE_BYTES_PER_SECOND = 64L << 20;
    private static final long HEAP_GROWTH_LIMIT = 64L << 20;

    @Test
    void oneGibToASlowReaderKeepsHeapFlatAndLosesNothing() throws Exception {
        ShutdownAndListenerTest.Recorder events = new ShutdownAndListenerTest.Recorder();
        try (ProxyFixture f = ProxyFixture.start(backend -> dev.wsproxy.WebSocketProxy.builder()
                .route(dev.wsproxy.ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                .listener(events).build())) {
            long baseline = heapAfterGc();
            AtomicLong peak = new AtomicLong();
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleWithFixedDelay(() -> peak.accumulateAndGet(heapAfterGc(), Math::max),
                    500, 500, TimeUnit.MILLISECONDS);
            try {
                SlowReader reader = new SlowReader();
                WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                        .buildAsync(URI.create(f.uri("/ws/echo")), reader).get(10, TimeUnit.SECONDS);
                MessageDigest sent = MessageDigest.getInstance("SHA-256");
                Random random = new Random(42);
                byte[] chunk = new byte[MESSAGE];
                for (int i = 0; i < MESSAGES && !reader.done.isDone(); i++) {
                    random.nextBytes(chunk);
                    sent.update(chunk);
                    try {
                        ws.sendBinary(ByteBuffer.wrap(chunk.clone()), true).get(120, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new AssertionError("send " + i + " failed; proxy events " + events.events
                                + "; reader " + reader.done, e);
                    }
                }
                byte[] received = reader.done.get(120, TimeUnit.SECONDS);
                assertEquals((long) MESSAGE * MESSAGES, reader.bytes.get());
                assertArrayEquals(sent.digest(), received, "the echoed stream differs from the sent one");
                ws.sendClose(1000, "").get(10, TimeUnit.SECONDS);
            } finally {
                sampler.shutdownNow();
            }
            long growth = peak.get() - baseline;
            System.out.printf("heap after GC: baseline %d MiB, peak %d MiB, growth %d MiB%n",
                    baseline >> 20, peak.get() >> 20, growth >> 20);
            assertTrue(growth < HEAP_GROWTH_LIMIT, "heap grew by " + (growth >> 20) + " MiB during 1 GiB of relay");
        }
    }

    private static long heapAfterGc() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Reads at {@link #READ_RATE_BYTES_PER_SECOND}, hashing the stream, by delaying its demand. */
    private static final class SlowReader implements WebSocket.Listener {
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        final AtomicLong bytes = new AtomicLong();
        private final MessageDigest digest;
        private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        private final long start = System.nanoTime();
        private long messages;

        SlowReader() throws Exception {
            digest = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            long total = bytes.addAndGet(data.remaining());
            digest.update(data);
            if (last && ++messages == MESSAGES) {
                done.complete(digest.digest());
                pacer.shutdown();
                return null;
            }
            long dueNanos = start + total * 1_000_000_000L / READ_RATE_BYTES_PER_SECOND;
            long wait = dueNanos - System.nanoTime();
            if (wait > 0) {
                pacer.schedule(() -> ws.request(1), wait, TimeUnit.NANOSECONDS);
            } else {
                ws.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            done.completeExceptionally(new AssertionError("closed by the proxy after " + bytes.get()
                    + " bytes: " + code + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            done.completeExceptionally(error);
        }
    }
}
