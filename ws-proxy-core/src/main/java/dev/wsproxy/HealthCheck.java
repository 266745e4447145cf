package dev.wsproxy;

import java.time.Duration;
import java.util.Objects;

/**
 * Active health checking of a pool's members, on an interval from one scheduler per proxy: either a real
 * WebSocket handshake to the member's URI (closed at once), or an HTTP {@code GET} of a path on the member's
 * host and port (any 2xx or 3xx is healthy). A member is marked down after {@link #fall} failed checks in a
 * row and up again after {@link #rise} successful ones; a member marked down gets no new connections (unless
 * every member is down: then all are tried). Each change is one WARN (down) or INFO (up) log line.
 *
 * <p>Immutable and thread-safe: every method returns a new value.
 */
public final class HealthCheck {

    /** Default successes in a row that mark a down member up. */
    public static final int DEFAULT_RISE = 2;
    /** Default failures in a row that mark a member down. */
    public static final int DEFAULT_FALL = 3;

    private final String httpPath;
    private final Duration interval;
    private final Duration timeout;
    private final int rise;
    private final int fall;

    private HealthCheck(String httpPath, Duration interval, Duration timeout, int rise, int fall) {
        this.httpPath = httpPath;
        this.interval = interval;
        this.timeout = timeout;
        this.rise = rise;
        this.fall = fall;
    }

    /** A WebSocket handshake (and close) to each member's URI every {@code interval}; timeout 2 s, rise 2, fall 3. */
    public static HealthCheck webSocket(Duration interval) {
        return new HealthCheck(null, Objects.requireNonNull(interval, "interval"), Duration.ofSeconds(2),
                DEFAULT_RISE, DEFAULT_FALL);
    }

    /**
     * An HTTP {@code GET path} ({@code http} for {@code ws} members, {@code https} for {@code wss}) to each
     * member every {@code interval}; timeout 2 s, rise 2, fall 3.
     */
    public static HealthCheck http(String path, Duration interval) {
        return new HealthCheck(Objects.requireNonNull(path, "path").trim(), Objects.requireNonNull(interval,
                "interval"), Duration.ofSeconds(2), DEFAULT_RISE, DEFAULT_FALL);
    }

    /** How long one check may take before it counts as failed; default 2 s. */
    public HealthCheck timeout(Duration timeout) {
        return new HealthCheck(httpPath, interval, Objects.requireNonNull(timeout, "timeout"), rise, fall);
    }

    /** Successful checks in a row that mark a down member up; default 2. */
    public HealthCheck rise(int rise) {
        return new HealthCheck(httpPath, interval, timeout, rise, fall);
    }

    /** Failed checks in a row that mark a member down; default 3. */
    public HealthCheck fall(int fall) {
        return new HealthCheck(httpPath, interval, timeout, rise, fall);
    }

    /** The HTTP path, or {@code null} for a WebSocket handshake check. */
    public String httpPath() {
        return httpPath;
    }

    public Duration interval() {
        return interval;
    }

    public Duration timeout() {
        return timeout;
    }

    public int rise() {
        return rise;
    }

    public int fall() {
        return fall;
    }

    /** The properties spelling: {@code websocket <interval>} or {@code http:<path> <interval>}. */
    @Override
    public String toString() {
        return (httpPath == null ? "websocket" : "http:" + httpPath) + " every " + interval + " timeout " + timeout
                + " rise " + rise + " fall " + fall;
    }
}
