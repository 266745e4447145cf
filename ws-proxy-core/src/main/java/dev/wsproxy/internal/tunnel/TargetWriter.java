package dev.wsproxy.internal.tunnel;

import dev.wsproxy.TunnelEndpoint;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The writing half of a {@link Direction}: its writes to the target one at a time, in order (forwarded bytes
 * and the proxy's own frames), and when they started, for the keepalive's "did not read" check.
 *
 * <p>Threading: {@link #enqueue} and {@link #broken()} are called under the direction's lock (given at
 * construction), which also guards this object's queue; the write itself and its completion run outside it,
 * on whichever thread started the write or completed it.
 */
final class TargetWriter {

    /** One write: its buffers, what to run when done, and whether it carries a close frame. */
    static final class Write {
        final ByteBuffer[] buffers;
        final Runnable onDone;
        final boolean close;

        Write(ByteBuffer[] buffers, Runnable onDone, boolean close) {
            this.buffers = buffers;
            this.onDone = onDone;
            this.close = close;
        }
    }

    /** What the direction learns from its writer; called outside the lock. */
    interface Events {
        void closeWritten();

        /** The target failed: this writer is broken for good (its queue is dropped). */
        void failed(Throwable failure);
    }

    private final Object lock;
    private final TunnelEndpoint target;
    private final Events events;
    // allocated once: the endpoints reuse their callbacks while these stay the same
    private final Runnable onWritten = this::written;
    private final Consumer<Throwable> onFailed = this::failedNow;

    // ---- guarded by lock ----
    /** Sized for the usual one queued write: a tunnel keeps it for its life. */
    private final ArrayDeque<Write> queue = new ArrayDeque<>(1);
    private boolean writing;
    private boolean broken;

    /** The write in flight (writes are serialised by {@code writing}). */
    private volatile Write inFlight;
    private volatile long lastWriteNanos = System.nanoTime();
    private volatile long writeStartedNanos;

    TargetWriter(Object lock, TunnelEndpoint target, Events events) {
        this.lock = lock;
        this.target = target;
        this.events = events;
    }

    static boolean isClose(ByteBuffer frame) {
        return (frame.get(frame.position()) & 0x0F) == Frames.CLOSE;
    }

    /** Under the lock: whether the target failed. */
    boolean broken() {
        return broken;
    }

    /**
     * Under the lock: queues a write, {@code now} being {@link System#nanoTime()}; returns it when the caller must
     * {@link #start} it now (outside the lock).
     */
    Write enqueue(Write write, long now) {
        lastWriteNanos = now;
        if (broken) {
            return null;
        }
        if (writing) {
            queue.add(write);
            return null;
        }
        writing = true;
        return write;
    }

    /** Starts a write {@link #enqueue} returned; {@code now}: {@link System#nanoTime()}. */
    void start(Write write, long now) {
        writeStartedNanos = now;
        inFlight = write;
        target.write(onWritten, onFailed, write.buffers);
    }

    /** Nanos since the last write was queued. */
    long nanosSinceLastWrite(long now) {
        return now - lastWriteNanos;
    }

    /** How long the current write has been outstanding, or 0. */
    long blockedNanos(long now) {
        long started = writeStartedNanos;
        return started == 0 ? 0 : now - started;
    }

    private void written() {
        Write done = inFlight;
        inFlight = null;
        writeStartedNanos = 0;
        if (done.onDone != null) {
            done.onDone.run();
        }
        if (done.close) {
            events.closeWritten();
        }
        Write next;
        synchronized (lock) {
            next = queue.poll();
            if (next == null) {
                writing = false;
                return;
            }
        }
        start(next, System.nanoTime());
    }

    private void failedNow(Throwable failure) {
        writeStartedNanos = 0;
        synchronized (lock) {
            broken = true;
            writing = false;
            queue.clear();
        }
        events.failed(failure);
    }
}
