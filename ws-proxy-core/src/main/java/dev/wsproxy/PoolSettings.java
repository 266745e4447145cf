package dev.wsproxy;

import java.time.Duration;
import java.util.Objects;

/**
 * How a route's upstream pool judges and retries its members: passive health (nginx's {@code max_fails} and
 * {@code fail_timeout}, with Envoy-style back-off), retries before the 101, optional active
 * {@link HealthCheck}s, and DNS re-resolution. Set with {@link ProxyRoute.Builder#poolSettings}.
 *
 * <ul>
 *   <li><b>Passive health:</b> a refused or reset connect, a TLS failure, a connect deadline and a 5xx answer
 *       count against a member; {@link Builder#maxFails} of them within {@link Builder#failTimeout} eject it
 *       for {@code failTimeout}, doubled for each further ejection while it keeps failing (at most 32 times);
 *       a successful handshake resets it. A pool with one member never ejects it (as nginx), and when every
 *       member is ejected all are tried (panic mode).</li>
 *   <li><b>Retries:</b> a failed connect attempt (refused, reset, TLS, 502/503 answer, attempt deadline) tries
 *       the next member, at most {@link Builder#maxAttempts} attempts within the route's
 *       {@link ProxyRoute#connectTimeout()}; an upstream's 4xx is the answer and is never retried. Nothing is
 *       retried after the 101.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class PoolSettings {

    /** Default failures that eject a member (nginx {@code max_fails}). */
    public static final int DEFAULT_MAX_FAILS = 1;
    /** Default window for {@code maxFails} and first ejection time (nginx {@code fail_timeout}). */
    public static final Duration DEFAULT_FAIL_TIMEOUT = Duration.ofSeconds(10);
    /** Default time a resolved host name is reused. */
    public static final Duration DEFAULT_DNS_TTL = Duration.ofSeconds(30);

    private static final PoolSettings DEFAULTS = builder().build();

    private final int maxFails;
    private final Duration failTimeout;
    private final int maxAttempts;
    private final Duration attemptTimeout;
    private final HealthCheck healthCheck;
    private final Duration dnsTtl;
    private final UpstreamResolver resolver;

    private PoolSettings(Builder b) {
        this.maxFails = b.maxFails;
        this.failTimeout = b.failTimeout;
        this.maxAttempts = b.maxAttempts;
        this.attemptTimeout = b.attemptTimeout;
        this.healthCheck = b.healthCheck;
        this.dnsTtl = b.dnsTtl;
        this.resolver = b.resolver;
    }

    /** The defaults: maxFails 1, failTimeout 10 s, every member tried once, no active checks, DNS TTL 30 s. */
    public static PoolSettings defaults() {
        return DEFAULTS;
    }

    /** Starts settings from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxFails = maxFails;
        b.failTimeout = failTimeout;
        b.maxAttempts = maxAttempts;
        b.attemptTimeout = attemptTimeout;
        b.healthCheck = healthCheck;
        b.dnsTtl = dnsTtl;
        b.resolver = resolver;
        return b;
    }

    /** Failures within {@link #failTimeout()} that eject a member; 0 turns passive health off. Default 1. */
    public int maxFails() {
        return maxFails;
    }

    /** The window for {@link #maxFails()} and the first ejection's length; default 10 s. */
    public Duration failTimeout() {
        return failTimeout;
    }

    /** Most connect attempts per handshake; 0 (the default) tries each member at most once. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Deadline of one connect attempt (TCP, TLS and upstream handshake); {@link Duration#ZERO} (the default)
     * splits the route's connect timeout evenly over the attempts the pool can make.
     */
    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    /** The active health check, or {@code null} (the default: passive health only). */
    public HealthCheck healthCheck() {
        return healthCheck;
    }

    /** How long a resolved host name is reused; {@link Duration#ZERO} resolves on every connect. Default 30 s. */
    public Duration dnsTtl() {
        return dnsTtl;
    }

    /** The resolver for member host names; default {@link UpstreamResolver#SYSTEM}. */
    public UpstreamResolver resolver() {
        return resolver;
    }

    /** Collects pool settings; {@link #build()} checks them. Not thread-safe. */
    public static final class Builder {
        private int maxFails = DEFAULT_MAX_FAILS;
        private Duration failTimeout = DEFAULT_FAIL_TIMEOUT;
        private int maxAttempts;
        private Duration attemptTimeout = Duration.ZERO;
        private HealthCheck healthCheck;
        private Duration dnsTtl = DEFAULT_DNS_TTL;
        private UpstreamResolver resolver = UpstreamResolver.SYSTEM;

        private Builder() {
        }

        /** Failures within {@code failTimeout} that eject a member (0: never eject); default 1. */
        public Builder maxFails(int maxFails) {
            this.maxFails = maxFails;
            return this;
        }

        /** Window for {@code maxFails} and the first ejection's length; default 10 s. */
        public Builder failTimeout(Duration failTimeout) {
            this.failTimeout = failTimeout;
            return this;
        }

        /** Most connect attempts per handshake (0: each member once); default 0. */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Deadline of one attempt; default ZERO (the route's connect timeout split over the attempts). */
        public Builder attemptTimeout(Duration attemptTimeout) {
            this.attemptTimeout = attemptTimeout;
            return this;
        }

        /** Active health checks; default none. */
        public Builder healthCheck(HealthCheck healthCheck) {
            this.healthCheck = healthCheck;
            return this;
        }

        /** How long a resolved name is reused (ZERO: resolve per connect); default 30 s. */
        public Builder dnsTtl(Duration dnsTtl) {
            this.dnsTtl = dnsTtl;
            return this;
        }

        /** The resolver for member host names (a seam for tests and service discovery); default the JVM's. */
        public Builder resolver(UpstreamResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * Checks and builds the settings.
         *
         * @throws IllegalArgumentException naming the bad field, its value and the fix
         */
        public PoolSettings build() {
            if (maxFails < 0) {
                throw new IllegalArgumentException("maxFails must be 0 (never eject) or positive but was " + maxFails
                        + " (the default is " + DEFAULT_MAX_FAILS + ")");
            }
            positive("failTimeout", failTimeout, DEFAULT_FAIL_TIMEOUT);
            if (maxAttempts < 0) {
                throw new IllegalArgumentException("maxAttempts must be 0 (each member once) or positive but was "
                        + maxAttempts);
            }
            notNegative("attemptTimeout", attemptTimeout);
            notNegative("dnsTtl", dnsTtl);
            if (healthCheck != null) {
                positive("healthCheck interval", healthCheck.interval(), Duration.ofSeconds(5));
                positive("healthCheck timeout", healthCheck.timeout(), Duration.ofSeconds(2));
                if (healthCheck.rise() < 1 || healthCheck.fall() < 1) {
                    throw new IllegalArgumentException("healthCheck rise and fall must be at least 1 but were "
                            + healthCheck.rise() + " and " + healthCheck.fall() + " (the defaults are 2 and 3)");
                }
                String path = healthCheck.httpPath();
                if (path != null && !path.startsWith("/")) {
                    throw new IllegalArgumentException("healthCheck path must start with '/' but was '" + path
                            + "' (use '/" + path + "')");
                }
            }
            return new PoolSettings(this);
        }

        private static void positive(String field, Duration value, Duration example) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(field + " must be positive but was " + value + " (e.g. "
                        + example + ")");
            }
        }

        private static void notNegative(String field, Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException(field + " must be zero or positive but was " + value);
            }
        }
    }
}
