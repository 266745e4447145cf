package dev.wsproxy.internal.tunnel;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Read buffers for tunnel directions, all of one size, direct or heap. A direction holds one only while it
 * has bytes in flight and gives it back when its source has nothing to read, so idle connections hold
 * none. At most {@code maxPooled} free buffers of each kind are kept. Thread-safe.
 */
public final class BufferPool {

    private final int size;
    private final int maxPooled;
    private final ConcurrentLinkedQueue<ByteBuffer> direct = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ByteBuffer> heap = new ConcurrentLinkedQueue<>();
    private final AtomicInteger directCount = new AtomicInteger();
    private final AtomicInteger heapCount = new AtomicInteger();

    public BufferPool(int size, int maxPooled) {
        this.size = size;
        this.maxPooled = maxPooled;
    }

    /** An empty buffer in flush mode (position = limit = 0). */
    ByteBuffer acquire(boolean needsHeap) {
        ConcurrentLinkedQueue<ByteBuffer> queue = needsHeap ? heap : direct;
        ByteBuffer b = queue.poll();
        if (b != null) {
            (needsHeap ? heapCount : directCount).decrementAndGet();
        } else {
            b = needsHeap ? ByteBuffer.allocate(size) : ByteBuffer.allocateDirect(size);
        }
        return b.position(0).limit(0);
    }

    /** Whether {@code b} came from this pool (a buffer of the pool's size). */
    boolean owns(ByteBuffer b) {
        return b.capacity() == size;
    }

    void release(ByteBuffer b) {
        boolean isHeap = !b.isDirect();
        AtomicInteger count = isHeap ? heapCount : directCount;
        if (count.incrementAndGet() > maxPooled) {
            count.decrementAndGet();
            return;
        }
        (isHeap ? heap : direct).add(b);
    }

    /** The size of every buffer. */
    public int bufferSize() {
        return size;
    }
}
