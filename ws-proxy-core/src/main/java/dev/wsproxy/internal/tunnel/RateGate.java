package dev.wsproxy.internal.tunnel;

import dev.wsproxy.RateLimit;
import dev.wsproxy.internal.RateLimiter;
import dev.wsproxy.internal.RelayTimers;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

/**
 * Paces the client-to-upstream {@link Direction} of a route with a {@link RateLimit}: before each read it asks
 * the {@link RateLimiter} how long to wait and resumes the pump that much later (slow down), or has the tunnel
 * close with 1008 (close). Reads go into a small buffer of its own (about 50 ms of the limit), so the upstream
 * receives the limit evenly rather than a 64 KiB burst followed by a long pause.
 *
 * <p>Threading: called only by the direction's pump, which never runs on two threads at once.
 */
final class RateGate {


    private final RateLimiter limiter;
    private final DirectionOwner owner;
    private final RelayTimers timers;
    private ByteBuffer buffer;

    private RateGate(RateLimiter limiter, DirectionOwner owner, RelayTimers timers) {
        this.limiter = limiter;
        this.owner = owner;
        this.timers = timers;
    }

    /** The gate for a route's limit, or {@code null} when it has none. */
    static RateGate of(RateLimit limit, DirectionOwner owner, RelayTimers timers) {
        RateLimiter limiter = RateLimiter.of(limit);
        return limiter == null ? null : new RateGate(limiter, owner, timers);
    }

    /** A data frame header was read from the client. */
    void frame(long payloadLength, boolean endsMessage) {
        limiter.consume(payloadLength, endsMessage);
    }

    /**
     * Before the next read from the client: {@code true} when the pump must stop now because
     * {@code resume} was scheduled for when the limit allows reading again.
     */
    boolean holdBeforeRead(Direction from, Runnable resume) {
        if (limiter.closes()) {
            String reason = limiter.exceeded();
            if (reason != null) {
                owner.violation(from, 1008, reason);
            }
            return false;
        }
        long wait = limiter.delayNanos();
        if (wait <= 0) {
            return false;
        }
        try {
            timers.afterNonBlocking(Duration.ofNanos(wait), resume);
            return true;
        } catch (RejectedExecutionException shuttingDown) {
            return false;
        }
    }

    /** The buffer to read into, emptied (flush mode, nothing readable), sized for about 50 ms of the limit. */
    ByteBuffer buffer() {
        int size = limiter.readSize();
        if (buffer == null || buffer.capacity() > 2 * size || 2 * buffer.capacity() < size) {
            buffer = ByteBuffer.allocate(size);
        }
        buffer.position(0).limit(0);
        return buffer;
    }
}
