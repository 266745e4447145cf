package dev.wsproxy.internal;

import dev.wsproxy.RateLimit;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The token buckets of one connection's {@link RateLimit}: one for messages, one for payload bytes. Sending
 * may overdraw them (a message's size is known only as it arrives); the debt is then what the reader waits
 * for before reading on, so the long-run rate is exactly the limit and a burst is at most a quarter second's
 * worth plus one read (a second's worth when going over closes). Used by the tunnel ({@code RateGate}) and
 * message mode ({@link Relay}).
 *
 * <p>Not thread-safe: called by one reader at a time (the tunnel's pump, or the container's message handler
 * for one session), which hand over with happens-before.
 */
public final class RateLimiter {

    private static final long NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * How much a full bucket holds, in seconds of the rate: the burst a quiet client may send at once, and how long
     * the proxy may fall behind (a busy CPU, a pause) without the client losing throughput. A quarter second when
     * reading slows down; a whole second when going over closes the connection, so a client within its limit on
     * average is not closed for one burst.
     */
    private static final double SLOW_DOWN_BURST_SECONDS = 0.25;
    private static final double CLOSE_BURST_SECONDS = 1.0;

    private final RateLimit limit;
    private double messageTokens;
    private double byteTokens;
    private long refilledAt = System.nanoTime();
    private double averageMessageBytes = 64; // a low first guess: one read then holds few messages too many
    private boolean closed;

    private RateLimiter(RateLimit limit) {
        this.limit = limit;
        this.messageTokens = messageCapacity();
        this.byteTokens = byteCapacity();
    }

    /** A limiter for {@code limit}, or {@code null} when it limits nothing. */
    public static RateLimiter of(RateLimit limit) {
        return limit == null || !limit.isLimited() ? null : new RateLimiter(limit);
    }

    /** Whether going over closes the connection (else reading slows down). */
    public boolean closes() {
        return limit.action() == RateLimit.Action.CLOSE;
    }

    /** Takes a data frame's payload bytes, and one message when it ends one. */
    public void consume(long payloadBytes, boolean endsMessage) {
        byteTokens -= payloadBytes;
        if (endsMessage) {
            messageTokens -= 1;
            averageMessageBytes = averageMessageBytes * 0.9 + Math.max(1, payloadBytes) * 0.1;
        }
    }

    /** How long to wait before reading more so as not to exceed the limit: 0 when the buckets hold tokens. */
    public long delayNanos() {
        long now = System.nanoTime();
        double seconds = (now - refilledAt) / (double) NANOS;
        refilledAt = now;
        long wait = 0;
        if (limit.messagesPerSecond() > 0) {
            messageTokens = Math.min(messageCapacity(), messageTokens + seconds * limit.messagesPerSecond());
            if (messageTokens < 0) {
                wait = (long) (-messageTokens / limit.messagesPerSecond() * NANOS);
            }
        }
        if (limit.bytesPerSecond() > 0) {
            byteTokens = Math.min(byteCapacity(), byteTokens + seconds * limit.bytesPerSecond());
            if (byteTokens < 0) {
                wait = Math.max(wait, (long) (-byteTokens / limit.bytesPerSecond() * NANOS));
            }
        }
        return wait;
    }

    /**
     * For the close action: the reason to close with the first time the client is found over its limit, else
     * {@code null} (once closing, the rest of the connection's traffic is not limited).
     */
    public String exceeded() {
        if (closed || delayNanos() == 0) {
            return null;
        }
        closed = true;
        return "client exceeded the rate limit of " + (limit.messagesPerSecond() > 0
                ? fmt(limit.messagesPerSecond()) + " messages/s" + (limit.bytesPerSecond() > 0 ? " and " : "") : "")
                + (limit.bytesPerSecond() > 0 ? limit.bytesPerSecond() + " bytes/s" : "");
    }

    /** Whether {@link #exceeded()} has reported the limit (the connection is closing). */
    public boolean tripped() {
        return closed;
    }

    /**
     * How many bytes one read should take: about 50 ms of the limit (the message limit converted with the
     * average message size seen), between 256 bytes and 16 KiB, so the reader's pauses stay short and even.
     */
    public int readSize() {
        double perRead = Double.MAX_VALUE;
        if (limit.bytesPerSecond() > 0) {
            perRead = limit.bytesPerSecond() / 20.0;
        }
        if (limit.messagesPerSecond() > 0) {
            perRead = Math.min(perRead, limit.messagesPerSecond() / 20.0 * averageMessageBytes);
        }
        return (int) Math.max(256, Math.min(16 * 1024, perRead));
    }

    /** Waits on this thread until the buckets hold tokens again (message mode, whose reader is the container's). */
    public void await() {
        long wait;
        while ((wait = delayNanos()) > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private double messageCapacity() {
        return Math.max(1, limit.messagesPerSecond() * burstSeconds());
    }

    private double byteCapacity() {
        return Math.max(1, limit.bytesPerSecond() * burstSeconds());
    }

    private double burstSeconds() {
        return closes() ? CLOSE_BURST_SECONDS : SLOW_DOWN_BURST_SECONDS;
    }

    private static String fmt(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }
}
