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
 * new direct memory. Only buffers from {@link #acquire} may be released here (a direction knows which it holds:
 * a buffer of the same capacity from elsewhere, such as a rate gate's, must never be shared through the pool).
 * Thread-safe: each kind is a stack under its own monitor (acquire and release happen once per read burst, and a
 * stack allocates nothing per call).
 */
public final class BufferPool {

    /** How many small buffers fit in the memory of one large one. */
    static final int SMALL_PER_LARGE = 16;

    private final Size large;
    private final Size small;

    /**
     * @param size      the large buffers' size (a multiple of {@link #SMALL_PER_LARGE})
     * @param maxPooled free large buffers kept per kind; small ones: {@link #SMALL_PER_LARGE} times as many
     */
    public BufferPool(int size, int maxPooled) {
        this.large = new Size(size, maxPooled);
        this.small = new Size(size / SMALL_PER_LARGE, maxPooled * SMALL_PER_LARGE);
    }

    /** An empty buffer in flush mode (position = limit = 0), large or small. */
    ByteBuffer acquire(boolean needsHeap, boolean large) {
        return (large ? this.large : small).acquire(needsHeap);
    }

    /** Whether {@code b}, a buffer from {@link #acquire}, is a small one. */
    boolean isSmall(ByteBuffer b) {
        return b.capacity() == small.capacity;
    }

    /** Gives back a buffer from {@link #acquire}; kept for reuse while fewer than the limit are free. */
    void release(ByteBuffer b) {
        (isSmall(b) ? small : large).release(b);
    }

    /** The size of the large buffers. */
    public int bufferSize() {
        return large.capacity;
    }

    /** The size of the small buffers. */
    int smallBufferSize() {
        return small.capacity;
    }

    /** The free buffers of one size: a stack of direct and one of heap buffers, each under its own monitor. */
    private static final class Size {
        final int capacity;
        private final int keep;
        private final ArrayDeque<ByteBuffer> direct = new ArrayDeque<>();
        private final ArrayDeque<ByteBuffer> heap = new ArrayDeque<>();

        Size(int capacity, int keep) {
            this.capacity = capacity;
            this.keep = keep;
        }

        ByteBuffer acquire(boolean needsHeap) {
            ArrayDeque<ByteBuffer> stack = needsHeap ? heap : direct;
            ByteBuffer b;
            synchronized (stack) {
                b = stack.pollLast();
            }
            if (b == null) {
                b = needsHeap ? ByteBuffer.allocate(capacity) : ByteBuffer.allocateDirect(capacity);
            }
            return b.position(0).limit(0);
        }

        void release(ByteBuffer b) {
            ArrayDeque<ByteBuffer> stack = b.isDirect() ? direct : heap;
            synchronized (stack) {
                if (stack.size() < keep) {
                    stack.addLast(b);
                }
            }
        }
    }
}
