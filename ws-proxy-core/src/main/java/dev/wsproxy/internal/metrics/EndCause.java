package dev.wsproxy.internal.metrics;

import java.util.Locale;

/**
 * Why a connection ended, decided once with the relay's ending: who ended it ({@link #endedBy()}: client,
 * upstream or proxy) and, for the proxy's own closes, the reason class. Metrics tag close codes with both; the
 * access log writes them as {@code ended_by} and {@code cause}.
 */
public enum EndCause {
    /** The client sent a close frame. */
    CLIENT_CLOSE("client", "close"),
    /** The upstream sent a close frame. */
    UPSTREAM_CLOSE("upstream", "close"),
    /** The client's connection ended without a close frame. */
    CLIENT_LOST("client", "lost"),
    /** The upstream's connection ended without a close frame. */
    UPSTREAM_LOST("upstream", "lost"),
    /** No data either way for the idle timeout. */
    IDLE("proxy", "idle"),
    /** A peer did not answer the proxy's ping (or did not read) within the ping interval. */
    PING_TIMEOUT("proxy", "ping_timeout"),
    /** A frame or message over the limits (1009). */
    TOO_BIG("proxy", "too_big"),
    /** The client went over the route's rate limit in close mode (1008). */
    RATE_LIMIT("proxy", "rate_limit"),
    /** The proxy was shut down or drained (1001). */
    SHUTDOWN("proxy", "shutdown"),
    /** A peer broke the WebSocket protocol (1002). */
    PROTOCOL("proxy", "protocol"),
    /** Something failed inside the proxy (1011). */
    FAILURE("proxy", "failure");

    private final String endedBy;
    private final String reasonClass;

    EndCause(String endedBy, String reasonClass) {
        this.endedBy = endedBy;
        this.reasonClass = reasonClass;
    }

    /** {@code client}, {@code upstream} or {@code proxy}. */
    public String endedBy() {
        return endedBy;
    }

    /** {@code close}, {@code lost}, {@code idle}, {@code ping_timeout}, {@code too_big}, ... */
    public String reasonClass() {
        return reasonClass;
    }

    /** A peer's close or loss. */
    public static EndCause peer(boolean client, boolean lost) {
        return client ? (lost ? CLIENT_LOST : CLIENT_CLOSE) : (lost ? UPSTREAM_LOST : UPSTREAM_CLOSE);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
