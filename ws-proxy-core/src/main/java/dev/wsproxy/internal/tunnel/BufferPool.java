package dev.wsproxy.internal.tunnel;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Read buffers for tunnel directions in two sizes, direct or heap: small ones for the first read after a
 * direction was idle (a chat message, a ping, a close frame), large ones for a direction whose last read filled
 * a small buffer (a stream). A direction holds one only while it has bytes in flight and gives it back when its
 * source has nothing to read, so idle connections hold none. At most {@code maxPooled} free buffers of each
 * kind and size are kept (plus {@link #SMALL_PER_LARGE} times as many small ones, which cost as much), so a
 * burst of closing connections (each reads a close frame) reuses buffers instead of allocating and zeroing
 * new direct memory. Thread-safe: each kind is a stack under its own monitor (acquire and release happen once
 * per read burst, and a stack allocates nothing per call).
 */
public final class BufferPool {

    /** How many small buffers fit in the memory of one large one. */
    static final int SMALL_PER_LARGE = 16;

    private final int size;
    private final int smallSize;
    private final int maxPooled;
    private final ArrayDeque<ByteBuffer> direct = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> heap = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> smallDirect = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> smallHeap = new ArrayDeque<>();

    /**
     * @param size      the large buffers' size (a multiple of {@link #SMALL_PER_LARGE})
     * @param maxPooled free large buffers kept per kind; small ones: {@link #SMALL_PER_LARGE} times as many
     */
    public BufferPool(int size, int maxPooled) {
        this.size = size;
        this.smallSize = size / SMALL_PER_LARGE;
        this.maxPooled = maxPooled;
    }

    /** An empty buffer in flush mode (position = limit = 0), large or small. */
    ByteBuffer acquire(boolean needsHeap, boolean large) {
        ArrayDeque<ByteBuffer> stack = large ? (needsHeap ? heap : direct) : (needsHeap ? smallHeap : smallDirect);
        ByteBuffer b;
        synchronized (stack) {
            b = stack.pollLast();
        }
        if (b == null) {
            int capacity = large ? size : smallSize;
            b = needsHeap ? ByteBuffer.allocate(capacity) : ByteBuffer.allocateDirect(capacity);
        }
        return b.position(0).limit(0);
    }

    /** Whether {@code b} came from this pool (a buffer of one of the pool's sizes). */
    boolean owns(ByteBuffer b) {
        return b.capacity() == size || b.capacity() == smallSize;
    }

    /** Whether {@code b} is one of this pool's small buffers. */
    boolean isSmall(ByteBuffer b) {
        return b.capacity() == smallSize;
    }

    void release(ByteBuffer b) {
        boolean small = b.capacity() == smallSize;
        ArrayDeque<ByteBuffer> stack = small ? (b.isDirect() ? smallDirect : smallHeap) : (b.isDirect() ? direct : heap);
        int keep = small ? maxPooled * SMALL_PER_LARGE : maxPooled;
        synchronized (stack) {
            if (stack.size() < keep) {
                stack.addLast(b);
            }
        }
    }

    /** The size of the large buffers. */
    public int bufferSize() {
        return size;
    }

    /** The size of the small buffers. */
    int smallBufferSize() {
        return smallSize;
    }
}
