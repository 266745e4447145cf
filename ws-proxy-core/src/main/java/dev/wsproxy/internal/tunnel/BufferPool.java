package dev.wsproxy.internal.tunnel;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Read buffers for tunnel directions, all of one size, direct or heap. A direction holds one only while it
 * has bytes in flight and gives it back when its source has nothing to read, so idle connections hold
 * none. At most {@code maxPooled} free buffers of each kind are kept. Thread-safe: each kind is a stack under
 * its own monitor (acquire and release happen once per read, and a stack allocates nothing per call).
 */
public final class BufferPool {

    private final int size;
    private final int maxPooled;
    private final ArrayDeque<ByteBuffer> direct = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> heap = new ArrayDeque<>();

    public BufferPool(int size, int maxPooled) {
        this.size = size;
        this.maxPooled = maxPooled;
    }

    /** An empty buffer in flush mode (position = limit = 0). */
    ByteBuffer acquire(boolean needsHeap) {
        ArrayDeque<ByteBuffer> stack = needsHeap ? heap : direct;
        ByteBuffer b;
        synchronized (stack) {
            b = stack.pollLast();
        }
        if (b == null) {
            b = needsHeap ? ByteBuffer.allocate(size) : ByteBuffer.allocateDirect(size);
        }
        return b.position(0).limit(0);
    }

    /** Whether {@code b} came from this pool (a buffer of the pool's size). */
    boolean owns(ByteBuffer b) {
        return b.capacity() == size;
    }

    void release(ByteBuffer b) {
        ArrayDeque<ByteBuffer> stack = b.isDirect() ? direct : heap;
        synchronized (stack) {
            if (stack.size() < maxPooled) {
                stack.addLast(b);
            }
        }
    }

    /** The size of every buffer. */
    public int bufferSize() {
        return size;
    }
}
