package dev.wsproxy.internal;

import dev.wsproxy.ProxyRoute;
import java.time.Duration;
import java.util.Objects;

/** Checks of a route's timeouts and limits for {@code ProxyRoute.Builder.build()}. Stateless. */
public final class RouteChecks {

    private RouteChecks() {
    }

    /** @throws IllegalArgumentException naming the bad field, its value and the default */
    public static void limits(Duration connectTimeout, Duration pingInterval, Duration idleTimeout, int maxFrameSize,
                              long maxMessageSize, int maxConnections) {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive but was " + connectTimeout
                    + " (the default is " + ProxyRoute.DEFAULT_CONNECT_TIMEOUT + ")");
        }
        requireNotNegative("pingInterval", pingInterval, ProxyRoute.DEFAULT_PING_INTERVAL);
        requireNotNegative("idleTimeout", idleTimeout, Duration.ZERO);
        if (maxFrameSize < 125) {
            throw new IllegalArgumentException("maxFrameSize must be at least 125 bytes but was " + maxFrameSize
                    + " (the default is " + ProxyRoute.DEFAULT_MAX_FRAME_SIZE + ")");
        }
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be positive but was " + maxMessageSize
                    + " (the default is " + ProxyRoute.DEFAULT_MAX_MESSAGE_SIZE + ")");
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections must be 0 (unlimited) or positive but was "
                    + maxConnections);
        }
    }

    private static void requireNotNegative(String field, Duration value, Duration fallback) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(field + " must be zero (off) or positive but was " + value
                    + " (the default is " + fallback + ")");
        }
    }
}
