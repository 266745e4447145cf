package dev.wsproxy.internal.tunnel;

import java.nio.ByteBuffer;

/**
 * The buffer a {@link Direction} reads its source into, and its life: first a copy of the bytes the source sent
 * before the tunnel started, then pool buffers (a small one after an idle spell, a large one once a read filled
 * a small one: a stream rather than a message), or on a rate-limited route the {@link RateGate}'s own buffer.
 * A pool buffer goes back to the pool whenever the source has nothing to read, so an idle direction holds none.
 *
 * <p>Threading: used by the direction's pump only (one thread at a time); {@link #emptied()} runs on the thread
 * that completed the write while the pump waits for it. {@link #releaseWhenStopped()} may race a running pump.
 */
final class ReadBuffer {

    private final BufferPool pool;
    private RateGate gate;
    private ByteBuffer buffer;
    /** {@link #buffer} came from the pool (not the prefill copy or the rate gate's own), so it goes back there. */
    private boolean pooled;
    /** The next pool buffer is a large one: the last read filled a small one (a stream, not a message). */
    private boolean large;
    private ByteBuffer prefilled;

    ReadBuffer(BufferPool pool) {
        this.pool = pool;
    }

    /** Reads go into the gate's buffer from now on; set before the first {@link #current}. */
    void gate(RateGate gate) {
        this.gate = gate;
    }

    /** Bytes the source sent before the tunnel started: copied, and scanned before anything is read. */
    void prefill(ByteBuffer bytes) {
        if (bytes != null && bytes.hasRemaining()) {
            ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
            copy.put(bytes).flip();
            prefilled = copy;
        }
    }

    /**
     * The buffer to scan or read into: the readable bytes not yet scanned are between its position and limit, and
     * it has no readable bytes when a read is due (the read appends after the limit). {@code heap}: a pool buffer,
     * if one is taken, must be a heap buffer.
     */
    ByteBuffer current(boolean heap) {
        if (buffer == null && prefilled != null) {
            buffer = prefilled;
            pooled = false;
            prefilled = null;
        }
        if (buffer != null && !buffer.hasRemaining() && !pooled) {
            buffer = null; // the prefill copy is used up, or the rate gate hands out its buffer again
        }
        if (buffer != null && large && !buffer.hasRemaining() && pool.isSmall(buffer)) {
            release(); // the small buffer was filled: read the rest of the stream into a large one
        }
        if (buffer == null) {
            pooled = gate == null;
            buffer = pooled ? pool.acquire(heap, large) : gate.buffer();
        }
        return buffer;
    }

    /**
     * After a read of {@code n} bytes into {@link #current}: grows the next pool buffer after a read that filled a
     * small one, shrinks it (at the next idle) after one that would have fitted in a small one.
     */
    void read(int n) {
        if (n > 0 && pooled) {
            large = pool.isSmall(buffer) ? buffer.limit() == buffer.capacity() : n >= pool.smallBufferSize();
        }
    }

    /** Everything read was written: the buffer is empty again. */
    void emptied() {
        ByteBuffer b = buffer;
        if (b != null) {
            b.position(0).limit(0);
        }
    }

    /** The source has nothing to read, or ended: a pool buffer goes back to the pool. */
    void release() {
        if (buffer != null && pooled) {
            pool.release(buffer);
        }
        buffer = null;
        pooled = false;
    }

    /** The pump stopped for good while idle: as {@link #release()}, tolerating a pump that still runs. */
    void releaseWhenStopped() {
        // Racy by design: a pump that is running keeps its buffer; pools tolerate a missed release.
        ByteBuffer b = buffer;
        boolean fromPool = pooled;
        buffer = null;
        pooled = false;
        if (b != null && fromPool) {
            pool.release(b);
        }
    }
}
