package dev.wsproxy.examples.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The load generator: raw WebSocket frames over NIO ({@link RawConnection}), pre-masked and written in
 * batches, so that one thread of this JVM outruns any proxy it measures (a direct connection must be well
 * above nginx, or the generator is the bound). Latency runs on the calling thread with blocking I/O (no
 * selector wake-up in the round trip); throughput and bulk run every connection from one selector loop on
 * the calling thread; each echo that completes a message queues the next one, and all that one read
 * completed goes out in one write. Handshakes for the scale scenario are non-blocking too, from one thread.
 *
 * <p>Not thread-safe: one scenario at a time.
 */
final class LoadClient implements AutoCloseable {

    private static final long HANDSHAKE_TIMEOUT_MILLIS = 30_000;
    private static final Duration DRAIN = Duration.ofSeconds(5);

    /** Called at the start and the end of a throughput/bulk measuring window (e.g. to read a proxy's CPU). */
    interface Window {
        Window NONE = new Window() {
        };

        default void begin() {
        }

        default void end() {
        }
    }

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-handshake-timer");
        t.setDaemon(true);
        return t;
    });

    @Override
    public void close() {
        timer.shutdownNow();
    }

    // ---- latency ----------------------------------------------------------------------------------

    /** One connection, one message in flight: returns {@code count} round trips in nanoseconds, sorted. */
    long[] latency(URI target, int warmup, int count, int size, Duration limit) throws IOException {
        byte[] frame = RawConnection.maskedFrame(1, text(size));
        RawConnection conn = RawConnection.open(target, timer, HANDSHAKE_TIMEOUT_MILLIS);
        long deadline = System.nanoTime() + limit.toNanos();
        long[] samples = new long[count];
        try {
            conn.sendFrom(RawConnection.block(frame, 1), frame.length);
            for (int i = -warmup; i < count; i++) {
                long sentAt = System.nanoTime();
                conn.send(1);
                while (!conn.flush()) {
                    Thread.onSpinWait();
                }
                long received = conn.messages;
                while (conn.messages == received) {
                    if (conn.read() < 0 || conn.closeReceived) {
                        throw new IOException("connection to " + target + " ended during the latency run");
                    }
                    if (conn.hasControlToSend()) {
                        conn.flush();
                    }
                }
                long rtt = System.nanoTime() - sentAt;
                if (i >= 0) {
                    samples[i] = rtt;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("latency run on " + target + " took longer than " + limit);
                }
            }
        } finally {
            conn.close();
        }
        Arrays.sort(samples);
        return samples;
    }

    // ---- throughput and bulk ----------------------------------------------------------------------

    /**
     * {@code connections} connections each keeping {@code inFlight} messages of {@code size} bytes outstanding
     * (text when {@code text}, else binary), for {@code warmup} and then {@code measure}.
     *
     * @return {messages per second, payload bytes per second, messages, payload bytes} echoed in the window
     */
    double[] stream(URI target, int connections, int inFlight, int size, boolean text, Duration warmup,
                    Duration measure, Window window) throws IOException {
        byte[] frame = RawConnection.maskedFrame(text ? 1 : 2, text(size));
        // enough copies that one write can carry every message a connection may have outstanding
        ByteBuffer block = RawConnection.block(frame, Math.max(1, Math.min(inFlight, (256 * 1024) / frame.length)));
        List<RawConnection> conns = openAll(target, connections, Math.min(connections, 16));
        try (Selector selector = Selector.open()) {
            for (RawConnection c : conns) {
                c.channel.configureBlocking(false);
                c.sendFrom(block, frame.length);
                c.send(inFlight);
                c.flush();
                c.channel.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE, c);
            }
            long start = System.nanoTime();
            long begin = start + warmup.toNanos();
            long end = begin + measure.toNanos();
            long m0 = 0;
            long b0 = 0;
            long t0 = 0;
            boolean measuring = false;
            while (true) {
                long now = System.nanoTime();
                if (!measuring && now >= begin) {
                    window.begin();
                    m0 = sum(conns, true);
                    b0 = sum(conns, false);
                    t0 = System.nanoTime();
                    measuring = true;
                }
                if (measuring && now >= end) {
                    long m1 = sum(conns, true);
                    long b1 = sum(conns, false);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    window.end();
                    drain(selector, conns);
                    return new double[] {(m1 - m0) / seconds, (b1 - b0) / seconds, m1 - m0, b1 - b0};
                }
                selector.select(5);
                for (SelectionKey key : selector.selectedKeys()) {
                    serve(key, true);
                }
                selector.selectedKeys().clear();
            }
        } finally {
            conns.forEach(RawConnection::close);
        }
    }

    /** Reads what arrived, queues one new message per echoed one (unless draining), writes. */
    private static void serve(SelectionKey key, boolean sendMore) throws IOException {
        RawConnection c = (RawConnection) key.attachment();
        if (key.isReadable()) {
            int echoed = c.read();
            if (echoed < 0 || c.closeReceived) {
                throw new IOException("the server closed a connection during the run (" + c.channel + ")");
            }
            if (sendMore) {
                c.send(echoed);
            }
        }
        boolean flushed = c.flush();
        key.interestOps(SelectionKey.OP_READ | (flushed ? 0 : SelectionKey.OP_WRITE));
    }

    /** Stops sending and waits (bounded) for the echoes still in flight, so connections close cleanly. */
    private static void drain(Selector selector, List<RawConnection> conns) throws IOException {
        long deadline = System.nanoTime() + DRAIN.toNanos();
        for (RawConnection c : conns) {
            c.pending = 0;
        }
        long sentTotal = -1;
        while (System.nanoTime() < deadline) {
            selector.select(5);
            for (SelectionKey key : selector.selectedKeys()) {
                serve(key, false);
            }
            selector.selectedKeys().clear();
            long received = sum(conns, true);
            if (received == sentTotal) {
                return;
            }
            sentTotal = received; // settled when two rounds see no new echo
        }
    }

    private static long sum(List<RawConnection> conns, boolean messages) {
        long s = 0;
        for (RawConnection c : conns) {
            s += messages ? c.messages : c.payloadBytes;
        }
        return s;
    }

    // ---- scale ------------------------------------------------------------------------------------

    /** What {@link #scale} saw. */
    static final class ScaleResult {
        final int opened;
        final int failed;
        final double handshakesPerSecond;
        final String firstFailure;

        ScaleResult(int opened, int failed, double handshakesPerSecond, String firstFailure) {
            this.opened = opened;
            this.failed = failed;
            this.handshakesPerSecond = handshakesPerSecond;
            this.firstFailure = firstFailure;
        }
    }

    /**
     * Opens {@code count} idle connections, {@code concurrency} handshakes in flight (non-blocking, on this
     * thread: {@link HandshakeBurst}), runs {@code whileOpen} with all of them open, then closes them.
     */
    ScaleResult scale(URI target, int count, int concurrency, Duration limit, Runnable whileOpen) throws Exception {
        HandshakeBurst burst = new HandshakeBurst(target, count, concurrency);
        try {
            long t0 = System.nanoTime();
            burst.run(limit);
            double seconds = (System.nanoTime() - t0) / 1e9;
            int opened = burst.open.size();
            whileOpen.run();
            return new ScaleResult(opened, burst.failed, opened / seconds, burst.firstFailure);
        } finally {
            burst.closeAll();
        }
    }

    /** Opens {@code count} connections, {@code concurrency} blocking handshakes at a time; fails on any refusal. */
    private List<RawConnection> openAll(URI target, int count, int concurrency) throws IOException {
        List<RawConnection> conns = new ArrayList<>();
        Throwable failure = null;
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<RawConnection>> opening = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                opening.add(pool.submit(() -> RawConnection.open(target, timer, HANDSHAKE_TIMEOUT_MILLIS)));
            }
            for (Future<RawConnection> f : opening) {
                try {
                    conns.add(f.get());
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = e;
                }
            }
        } finally {
            pool.shutdown();
        }
        if (failure != null) {
            conns.forEach(RawConnection::close);
            throw new IOException("could not open " + count + " connections to " + target + ": " + failure, failure);
        }
        return conns;
    }

    private static byte[] text(int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) 'x');
        return b;
    }
}
