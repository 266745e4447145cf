package dev.wsproxy;

import java.util.Locale;
import java.util.Objects;

/**
 * A per-connection limit on what a client may send through a route: messages per second and payload bytes per
 * second, each a token bucket: the long-run rate never exceeds the limit, and a client that was quiet may send a
 * burst of a quarter second's worth when reading slows down, a whole second's worth when going over closes.
 * Set with {@link ProxyRoute.Builder#rateLimit(RateLimit)}; {@link #NONE} (the default) limits nothing.
 *
 * <pre>{@code
 * ProxyRoute.prefix("/ws/").upstream("ws://b:8080/")
 *     .rateLimit(RateLimit.builder().messagesPerSecond(50).bytesPerSecond(256 * 1024).build())
 * }</pre>
 *
 * <p>Over the limit the proxy either {@linkplain Action#SLOW_DOWN slows down reading} from that client (the
 * default: TCP backpressure, the client's sends stall, nothing is lost) or {@linkplain Action#CLOSE closes} the
 * connection with 1008 and a reason naming the limit. Only client-to-upstream traffic is limited; the proxy's own
 * pings and the peers' control frames do not count. Immutable and thread-safe.
 */
public final class RateLimit {

    /** What happens to a client over its limit. */
    public enum Action {
        /** Read from the client only as fast as the limit allows (the default). */
        SLOW_DOWN,
        /** Close both sides with 1008 (policy violation) and a reason naming the limit. */
        CLOSE
    }

    /** No limit. */
    public static final RateLimit NONE = new RateLimit(0, 0, Action.SLOW_DOWN);

    private final double messagesPerSecond;
    private final long bytesPerSecond;
    private final Action action;

    private RateLimit(double messagesPerSecond, long bytesPerSecond, Action action) {
        this.messagesPerSecond = messagesPerSecond;
        this.bytesPerSecond = bytesPerSecond;
        this.action = action;
    }

    /** Starts a limit; set at least one rate. */
    public static Builder builder() {
        return new Builder();
    }

    /** Messages per second from the client, or 0 (unlimited). */
    public double messagesPerSecond() {
        return messagesPerSecond;
    }

    /** Payload bytes per second from the client, or 0 (unlimited). */
    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** What happens over the limit; default {@link Action#SLOW_DOWN}. */
    public Action action() {
        return action;
    }

    /** Whether this limits anything. */
    public boolean isLimited() {
        return messagesPerSecond > 0 || bytesPerSecond > 0;
    }

    @Override
    public String toString() {
        if (!isLimited()) {
            return "no rate limit";
        }
        return (messagesPerSecond > 0 ? messagesPerSecond + " messages/s " : "")
                + (bytesPerSecond > 0 ? bytesPerSecond + " bytes/s " : "") + action.name().toLowerCase(Locale.ROOT);
    }

    /** Collects a limit; {@link #build()} validates it. Not thread-safe. */
    public static final class Builder {
        private double messagesPerSecond;
        private long bytesPerSecond;
        private Action action = Action.SLOW_DOWN;

        private Builder() {
        }

        /** Messages per second the client may send (fractions allowed, e.g. 0.5); 0 for unlimited. */
        public Builder messagesPerSecond(double messagesPerSecond) {
            this.messagesPerSecond = messagesPerSecond;
            return this;
        }

        /** Payload bytes per second the client may send; 0 for unlimited. */
        public Builder bytesPerSecond(long bytesPerSecond) {
            this.bytesPerSecond = bytesPerSecond;
            return this;
        }

        /** What happens over the limit; default {@link Action#SLOW_DOWN}. */
        public Builder action(Action action) {
            this.action = Objects.requireNonNull(action, "action");
            return this;
        }

        /**
         * Validates and builds the limit.
         *
         * @throws IllegalArgumentException for a negative or non-finite rate
         */
        public RateLimit build() {
            if (!(messagesPerSecond >= 0) || Double.isInfinite(messagesPerSecond)) {
                throw new IllegalArgumentException("rate limit messagesPerSecond must be 0 (unlimited) or positive"
                        + " but was " + messagesPerSecond);
            }
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("rate limit bytesPerSecond must be 0 (unlimited) or positive"
                        + " but was " + bytesPerSecond);
            }
            return messagesPerSecond == 0 && bytesPerSecond == 0 ? NONE
                    : new RateLimit(messagesPerSecond, bytesPerSecond, action);
        }
    }
}
