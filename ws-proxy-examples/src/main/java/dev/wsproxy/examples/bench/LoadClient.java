package dev.wsproxy.examples.bench;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;

/**
 * The load generator: Jetty's core WebSocket client, asynchronous and frame by frame, so one harness thread
 * pool drives every connection without a thread per connection and without buffering messages. Each scenario
 * sends the next message from the callback that received an echo (no hand-off to another thread), and every
 * wait is bounded by the scenario's time limit.
 *
 * <p>Not thread-safe: one scenario at a time.
 */
final class LoadClient implements AutoCloseable {

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final WebSocketCoreClient client;

    LoadClient() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("bench-client");
        http = new HttpClient();
        http.setExecutor(threads);
        http.setMaxConnectionsPerDestination(1024);
        http.setMaxRequestsQueuedPerDestination(32 * 1024);
        http.setConnectTimeout(20_000);
        client = new WebSocketCoreClient(http, null);
        http.start();
        client.start();
    }

    @Override
    public void close() throws Exception {
        client.stop();
        http.stop();
    }

    // ---- latency ----------------------------------------------------------------------------------

    /** One connection, one message in flight: returns {@code count} round trips in nanoseconds, sorted. */
    long[] latency(URI target, int warmup, int count, int size, Duration limit) throws Exception {
        byte[] message = text(size);
        long[] samples = new long[count];
        CompletableFuture<Void> done = new CompletableFuture<>();
        Conn conn = new Conn() {
            private volatile long sentAt;
            private int index = -warmup;

            void next() {
                sentAt = System.nanoTime();
                sendText(message);
            }

            @Override
            void onData(Frame frame) {
                if (!frame.isFin()) {
                    return;
                }
                long rtt = System.nanoTime() - sentAt;
                if (index >= 0) {
                    samples[index] = rtt;
                }
                if (++index < count) {
                    next();
                } else {
                    done.complete(null);
                }
            }

            @Override
            void onOpened() {
                next();
            }
        };
        connect(target, conn).get(limit.toMillis(), TimeUnit.MILLISECONDS);
        try {
            done.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            closeAll(List.of(conn));
        }
        Arrays.sort(samples);
        return samples;
    }

    // ---- throughput and bulk ----------------------------------------------------------------------

    /**
     * {@code connections} connections each keeping {@code inFlight} messages of {@code size} bytes outstanding
     * (text when {@code text}, else binary); every echo that completes a message sends the next one.
     *
     * @return {messages per second, payload bytes per second} echoed during the measuring window
     */
    double[] stream(URI target, int connections, int inFlight, int size, boolean text,
                    Duration warmup, Duration measure) throws Exception {
        LongAdder messages = new LongAdder();
        LongAdder bytes = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        byte[] textMessage = text ? text(size) : null;
        List<Conn> conns = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            ByteBuffer binary = text ? null : ByteBuffer.allocateDirect(size);
            conns.add(new Conn() {
                void next() {
                    if (text) {
                        sendText(textMessage);
                    } else {
                        sendBinary(binary.duplicate().clear());
                    }
                }

                @Override
                void onData(Frame frame) {
                    bytes.add(frame.getPayloadLength());
                    if (frame.isFin()) {
                        messages.increment();
                        if (!stop.get()) {
                            next();
                        }
                    }
                }

                @Override
                void onOpened() {
                }

                void start() {
                    for (int k = 0; k < inFlight; k++) {
                        next();
                    }
                }
            });
        }
        Duration limit = warmup.plus(measure).plusSeconds(30);
        try {
            connectAll(target, conns, 64, limit);
            for (Conn c : conns) {
                c.start();
            }
            Thread.sleep(warmup.toMillis());
            long m0 = messages.sum();
            long b0 = bytes.sum();
            long t0 = System.nanoTime();
            Thread.sleep(measure.toMillis());
            long m1 = messages.sum();
            long b1 = bytes.sum();
            double seconds = (System.nanoTime() - t0) / 1e9;
            stop.set(true);
            return new double[] {(m1 - m0) / seconds, (b1 - b0) / seconds};
        } finally {
            stop.set(true);
            closeAll(conns);
        }
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
     * Opens {@code count} idle connections, {@code concurrency} handshakes at a time, runs {@code whileOpen}
     * with all of them open, then closes them.
     */
    ScaleResult scale(URI target, int count, int concurrency, Duration limit, Runnable whileOpen) throws Exception {
        List<Conn> conns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            conns.add(new Conn() {
                @Override
                void onData(Frame frame) {
                }

                @Override
                void onOpened() {
                }
            });
        }
        try {
            long t0 = System.nanoTime();
            String failure = connectAll(target, conns, concurrency, limit);
            double seconds = (System.nanoTime() - t0) / 1e9;
            int opened = (int) conns.stream().filter(c -> c.session != null).count();
            whileOpen.run();
            return new ScaleResult(opened, count - opened, opened / seconds, failure);
        } finally {
            closeAll(conns);
        }
    }

    // ---- connections ------------------------------------------------------------------------------

    /** Connects every handler, at most {@code concurrency} handshakes at a time; returns the first failure. */
    private String connectAll(URI target, List<Conn> conns, int concurrency, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        Semaphore permits = new Semaphore(concurrency);
        AtomicInteger failed = new AtomicInteger();
        String[] firstFailure = {null};
        for (Conn conn : conns) {
            if (!permits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException("handshakes did not finish within " + limit);
            }
            connect(target, conn).whenComplete((session, error) -> {
                if (error != null && failed.getAndIncrement() == 0) {
                    synchronized (firstFailure) {
                        firstFailure[0] = error.toString();
                    }
                }
                permits.release();
            });
        }
        if (!permits.tryAcquire(concurrency, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("handshakes did not finish within " + limit);
        }
        synchronized (firstFailure) {
            if (failed.get() > 0 && conns.size() < 1000) {
                throw new IllegalStateException(failed.get() + " handshakes failed, first: " + firstFailure[0]);
            }
            return firstFailure[0];
        }
    }

    private CompletableFuture<CoreSession> connect(URI target, Conn conn) throws Exception {
        CoreClientUpgradeRequest request = CoreClientUpgradeRequest.from(client, target, conn);
        Configuration.ConfigurationCustomizer settings = new Configuration.ConfigurationCustomizer();
        CoreEchoBackend.configure(settings);
        request.setConfiguration(settings);
        request.timeout(30, TimeUnit.SECONDS);
        return client.connect(request);
    }

    /** Closes every open connection with 1000 and waits (bounded) for the close handshakes. */
    private static void closeAll(List<? extends Conn> conns) {
        for (Conn c : conns) {
            CoreSession s = c.session;
            if (s != null && s.isOutputOpen()) {
                s.close(CloseStatus.NORMAL, "bench done", Callback.NOOP);
            }
        }
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        for (Conn c : conns) {
            if (c.session == null) {
                continue;
            }
            try {
                c.closed.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                c.session.abort();
            }
        }
    }

    private static final java.lang.reflect.Field MASK_RANDOM = maskRandomField();

    /** The load generator masks every frame too: same per-thread key source as the proxy (see MaskKeys). */
    static void fastMaskKeys(CoreSession session) {
        if (MASK_RANDOM != null && session instanceof org.eclipse.jetty.websocket.core.WebSocketCoreSession) {
            try {
                MASK_RANDOM.set(((org.eclipse.jetty.websocket.core.WebSocketCoreSession) session).getConnection(),
                        dev.wsproxy.internal.MaskKeys.asRandom());
            } catch (IllegalAccessException e) {
                // keep Jetty's generator
            }
        }
    }

    private static java.lang.reflect.Field maskRandomField() {
        try {
            java.lang.reflect.Field f = org.eclipse.jetty.websocket.core.WebSocketConnection.class.getDeclaredField("random");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static byte[] text(int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) 'x');
        return b;
    }

    /** One client connection; frames arrive one at a time (the next is demanded after the callback). */
    abstract static class Conn implements FrameHandler {
        volatile CoreSession session;
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        abstract void onData(Frame frame);

        abstract void onOpened();

        void start() {
        }

        void sendText(byte[] message) {
            // A fresh buffer per frame: the client masks the payload in place.
            session.sendFrame(new Frame(OpCode.TEXT, true, ByteBuffer.wrap(message.clone())), Callback.NOOP, false);
        }

        void sendBinary(ByteBuffer message) {
            session.sendFrame(new Frame(OpCode.BINARY, true, message), Callback.NOOP, false);
        }

        @Override
        public void onOpen(CoreSession coreSession, Callback callback) {
            session = coreSession;
            fastMaskKeys(coreSession);
            callback.succeeded();
            onOpened();
            coreSession.demand();
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            if (frame.isDataFrame()) {
                onData(frame);
            }
            callback.succeeded();
            if (frame.getOpCode() != OpCode.CLOSE) {
                session.demand();
            }
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            closed.complete(null);
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus closeStatus, Callback callback) {
            closed.complete(null);
            callback.succeeded();
        }
    }
}
