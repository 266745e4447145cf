package dev.wsproxy.internal.tunnel;

import java.nio.ByteBuffer;

/** Gathering writes' bookkeeping, for the tunnel's endpoints in every adapter. Stateless. */
public final class ByteBuffers {

    private ByteBuffers() {
    }

    /** Whether any of {@code buffers} still has bytes to write. */
    public static boolean hasRemaining(ByteBuffer[] buffers) {
        for (ByteBuffer b : buffers) {
            if (b.hasRemaining()) {
                return true;
            }
        }
        return false;
    }
}
