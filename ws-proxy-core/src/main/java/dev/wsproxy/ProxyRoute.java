package dev.wsproxy;

import dev.wsproxy.internal.HeaderPolicy;
import dev.wsproxy.internal.RouteChecks;
import dev.wsproxy.internal.RoutePaths;
import dev.wsproxy.internal.pool.PoolSpec;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One proxied path: which requests it matches and the {@code ws://} or {@code wss://} upstream they go to.
 *
 * <p>Three kinds of match, tried by {@link WebSocketProxy} in this order: {@linkplain #exact exact paths},
 * then the longest matching {@linkplain #prefix prefix} (nginx {@code location /prefix/} semantics: a plain
 * string prefix; a prefix ending in {@code /} also takes the path without that slash, unless another route
 * has exactly that path), then {@linkplain #regex regular expressions} in registration order. Routes are matched
 * against the <em>normalised</em> path, as nginx chooses a location: escapes of unreserved characters
 * decoded, {@code .} and {@code ..} resolved, {@code ;parameters} ignored, repeated {@code /} merged, so no
 * other spelling of a path ({@code /ws/%61dmin}, {@code /ws/./admin}, {@code /ws/admin;p=1}) can take a
 * weaker route than the path itself.
 *
 * <p>Path rewriting follows nginx {@code proxy_pass}:
 * <ul>
 *   <li>an upstream URI <em>with</em> a path replaces the matched prefix:
 *       {@code prefix("/ws/")} to {@code ws://b:8080/} sends {@code /ws/chat?room=1} to {@code /chat?room=1};</li>
 *   <li>an upstream URI <em>without</em> a path ({@code ws://b:8080}) sends the request path unchanged;</li>
 *   <li>a regex route's upstream path is a template whose {@code $1}..{@code $9} are the capture groups;</li>
 *   <li>the upstream gets the normalised path (re-encoded: other escapes kept, in upper-case hex; path
 *       parameters removed); the query string is forwarded as it came (characters RFC 3986
 *       does not allow raw are escaped);</li>
 *   <li>a {@code ..} that would climb above the root, an encoded slash ({@code %2F}) unless
 *       {@link Builder#allowEncodedSlash}, double encoding ({@code %252e}), backslashes and dot segments
 *       carrying parameters ({@code ..;x}, {@code %2e%2e%3b}) are refused with 400; a rewritten path with a
 *       {@code ..} segment is refused too, so a rewrite never leaves the upstream's base path; the upstream
 *       host and port come only from this configuration.</li>
 * </ul>
 *
 * <p>Header settings (all per route): {@link Builder#preserveHost}, {@link Builder#trustedProxies},
 * {@link Builder#forwardedHeader}, {@link Builder#addHeader}/{@link Builder#setHeader}/{@link
 * Builder#removeHeader} and {@link Builder#allowedOrigins}.
 *
 * <p>Upstream pools: {@link Builder#upstreams} with a {@link Balance} and {@link PoolSettings} instead of one
 * {@link Builder#upstream}; see {@link UpstreamPool}.
 *
 * <p>Immutable and thread-safe. Build with {@link #prefix}, {@link #exact} or {@link #regex}, then
 * {@link Builder#upstream} and {@link Builder#build()}; derive variants with {@link #toBuilder()}.
 */
public final class ProxyRoute {

    /** How a route's path pattern is compared with a request path. */
    public enum Match {
        /** The whole path equals the pattern. */
        EXACT,
        /** The path starts with the pattern (longest prefix wins). */
        PREFIX,
        /** The pattern is a {@link java.util.regex.Pattern} that must match the whole path. */
        REGEX
    }

    /**
     * How a route relays a connection once both handshakes are done.
     */
    public enum RelayMode {
        /**
         * The default for HTTP/1.1 clients: the client's handshake ({@code Sec-WebSocket-Key}, subprotocols,
         * extensions) is forwarded so the client and the upstream negotiate end to end, and after the 101 the
         * bytes of both connections are relayed unchanged while the proxy reads only the frame headers
         * (keepalive, limits, close codes, counters). Compression passes through.
         */
        TUNNEL,
        /**
         * Each hop is its own WebSocket session (the Jakarta WebSocket API on the client side, a WebSocket client
         * toward the upstream) and messages are relayed part by part. Used for WebSocket over HTTP/2 clients
         * whatever the route says, and where per-hop behaviour is wanted.
         */
        MESSAGE
    }

    /** Default deadline for TCP connect plus the upstream's WebSocket handshake. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Default keepalive interval: a peer is pinged once nothing was sent to it for this long. Below the 30 s
     * idle timeout of Jetty and many load balancers, with room for a late timer.
     */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(20);
    /** Default largest frame accepted from the upstream (the upstream client buffers one whole frame). */
    public static final int DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;
    /** Default largest message relayed in either direction (streamed, so this is policy, not memory). */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 64L * 1024 * 1024;

    /** This route's scalar settings: a private copy of the builder it was built from, never handed out. */
    private final Builder settings;
    private final URI upstream;
    private final String upstreamBase;
    private final RoutePaths paths;
    private final HeaderPolicy headerPolicy;
    private final PoolSpec pool;

    private ProxyRoute(Builder settings, Pattern regex, PoolSpec pool, HeaderPolicy headerPolicy) {
        URI upstream = pool.first();
        this.settings = settings;
        this.pool = pool;
        this.upstream = upstream;
        this.upstreamBase = upstream.getScheme().toLowerCase(Locale.ROOT) + "://" + upstream.getRawAuthority();
        this.paths = new RoutePaths(settings.match == Match.PREFIX, settings.path, regex,
                upstream.getRawPath() == null ? "" : upstream.getRawPath());
        this.headerPolicy = headerPolicy;
    }

    /** A route for every path that starts with {@code prefix} (which must start with {@code /}). */
    public static Builder prefix(String prefix) {
        return new Builder(Match.PREFIX, prefix);
    }

    /** A route for exactly one path. */
    public static Builder exact(String path) {
        return new Builder(Match.EXACT, path);
    }

    /**
     * A route for paths that match {@code regex} as a whole; its capture groups fill {@code $1}..{@code $9}
     * in the upstream URI's path, e.g. {@code regex("^/ws/(.*)$").upstream("ws://backend:8080/$1")}.
     */
    public static Builder regex(String regex) {
        return new Builder(Match.REGEX, regex);
    }

    /** A builder holding this route's settings. */
    public Builder toBuilder() {
        Builder b = settings.copy();
        b.upstream = pool.single() ? upstream.toString() : null;
        b.upstreams = pool.single() ? null : pool.members();
        b.balance = pool.balance();
        b.poolSettings = pool.settings();
        b.headerPolicy = headerPolicy.toBuilder();
        return b;
    }

    public Match match() {
        return settings.match;
    }

    /** The prefix, exact path or regular expression, as given. */
    public String path() {
        return settings.path;
    }

    /** The configured upstream URI (a template for regex routes); for a pool, the first member's. */
    public URI upstream() {
        return upstream;
    }

    /** The pool members; for a route with one {@link Builder#upstream}, that one. */
    public List<Upstream> upstreams() {
        return pool.members();
    }

    /** How the pool picks a member; default {@link Balance#leastConnections()}. */
    public Balance balance() {
        return pool.balance();
    }

    /** The pool's health, retry and DNS settings; default {@link PoolSettings#defaults()}. */
    public PoolSettings poolSettings() {
        return pool.settings();
    }

    PoolSpec pool() {
        return pool;
    }

    /** Deadline for connecting to the upstream and completing its handshake; default 10 s. */
    public Duration connectTimeout() {
        return settings.connectTimeout;
    }

    /**
     * Whether a plain (non-upgrade) HTTP request on this route is answered {@code 426 Upgrade Required}
     * instead of being passed on to the application; default {@code false} (pass on).
     */
    public boolean rejectNonUpgrade() {
        return settings.rejectNonUpgrade;
    }

    /** Whether the upstream receives the client's {@code Host} header (default) or its own host. */
    public boolean preserveHost() {
        return settings.preserveHost;
    }

    /** Addresses and CIDR blocks whose forwarding headers are trusted; default none. */
    public List<String> trustedProxies() {
        return headerPolicy.trustedProxies();
    }

    /**
     * Whether the client hop may negotiate permessage-deflate (RFC 7692) with the container; default
     * {@code false}. See {@link Builder#clientCompression}.
     */
    public boolean clientCompression() {
        return settings.clientCompression;
    }

    /** Whether an RFC 7239 {@code Forwarded} header is sent upstream; default {@code false}. */
    public boolean forwardedHeader() {
        return headerPolicy.forwarded();
    }

    /** The origins allowed to connect, as configured; empty (the default) allows any. */
    public List<String> allowedOrigins() {
        return headerPolicy.allowedOrigins();
    }

    /** Whether a path with an encoded slash ({@code %2F}) in a segment is forwarded; default {@code false} (400). */
    public boolean allowEncodedSlash() {
        return settings.allowEncodedSlash;
    }

    /** Whether repeated {@code /} are forwarded as sent; default {@code false} (merged into one). */
    public boolean keepRepeatedSlashes() {
        return settings.keepRepeatedSlashes;
    }

    /** Whether header names with {@code _} are forwarded; default {@code false} (dropped). */
    public boolean keepUnderscoreHeaders() {
        return headerPolicy.keepUnderscores();
    }

    /** The header that carries the authenticated user's name upstream, or {@code null} (the default). */
    public String userHeader() {
        return headerPolicy.userHeader();
    }

    HeaderPolicy headerPolicy() {
        return headerPolicy;
    }

    /**
     * Keepalive interval: each peer is pinged once nothing (data or ping) was sent to it for this long, so a
     * hop never stays silent longer; a peer that has not been heard from (pong, data, a completed send) a
     * whole interval after a ping is failed. Default 20 s; {@link Duration#ZERO} turns keepalive off.
     */
    public Duration pingInterval() {
        return settings.pingInterval;
    }

    /** Close both sides with 1001 after this long without data in either direction; default off (ZERO). */
    public Duration idleTimeout() {
        return settings.idleTimeout;
    }

    /** Largest frame accepted from the upstream (larger: 1009); default 16 MiB. */
    public int maxFrameSize() {
        return settings.maxFrameSize;
    }

    /** Largest message relayed in either direction (larger: both sides closed with 1009); default 64 MiB. */
    public long maxMessageSize() {
        return settings.maxMessageSize;
    }

    /** Most concurrent connections on this route (more: 503); default 0, unlimited. */
    public int maxConnections() {
        return settings.maxConnections;
    }

    /** Per-connection limit on what the client sends; default {@link RateLimit#NONE}. */
    public RateLimit rateLimit() {
        return settings.rateLimit;
    }

    /**
     * How connections are relayed; default {@link RelayMode#TUNNEL} (HTTP/2 clients always get
     * {@link RelayMode#MESSAGE}).
     */
    public RelayMode relayMode() {
        return settings.relayMode;
    }

    /**
     * Whether this route matches a raw request path, and if so the upstream URI for it.
     *
     * @param rawPath raw path inside the context, starting with {@code /}
     * @param rawQuery raw query without {@code ?}, or {@code null}
     * @return the upstream URI string, or {@code null} when this route does not match
     */
    String rewrite(String rawPath, String rawQuery) {
        String target = paths.rewrite(rawPath, rawQuery);
        return target == null ? null : upstreamBase + target;
    }

    /**
     * For a prefix ending in {@code /}, the upstream URI for the path that is the prefix without that slash
     * ({@code /ws/admin} for {@code prefix("/ws/admin/")}), else {@code null} (see {@link RoutePaths#rewriteBare}).
     */
    String rewriteBare(String path, String rawQuery) {
        String target = paths.rewriteBare(path, rawQuery);
        return target == null ? null : upstreamBase + target;
    }

    /** The part of the request path that this route stripped (for {@code X-Forwarded-Prefix}), or null. */
    String strippedPrefix() {
        return paths.strippedPrefix();
    }

    @Override
    public String toString() {
        return settings.match.name().toLowerCase(Locale.ROOT) + " " + settings.path + " -> " + upstream;
    }

    /** Collects and validates a route's settings; {@link #build()} rejects bad values. Not thread-safe. */
    public static final class Builder {
        private final Match match;
        private final String path;
        private String upstream;
        private List<Upstream> upstreams;
        private Balance balance;
        private PoolSettings poolSettings;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private boolean rejectNonUpgrade;
        private boolean clientCompression;
        private boolean preserveHost = true;
        private Duration pingInterval = DEFAULT_PING_INTERVAL;
        private Duration idleTimeout = Duration.ZERO;
        private int maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
        private long maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private int maxConnections;
        private HeaderPolicy.Builder headerPolicy = HeaderPolicy.builder();
        private RelayMode relayMode = RelayMode.TUNNEL;
        private boolean allowEncodedSlash;
        private boolean keepRepeatedSlashes;
        private RateLimit rateLimit = RateLimit.NONE;

        private Builder(Match match, String path) {
            this.match = match;
            this.path = path;
        }

        /** How connections are relayed; default {@link RelayMode#TUNNEL}. */
        public Builder relayMode(RelayMode relayMode) {
            this.relayMode = Objects.requireNonNull(relayMode, "relayMode");
            return this;
        }

        /** The upstream, {@code ws://host[:port][/path]} or {@code wss://...}. Required. */
        public Builder upstream(String upstream) {
            this.upstream = upstream;
            return this;
        }

        /**
         * A pool of upstreams instead of one {@link #upstream}: members sharing one path (only scheme, host and
         * port differ), picked per connection by {@link #balance}, with failover before the 101.
         */
        public Builder upstreams(Upstream... members) {
            this.upstreams = List.of(members);
            return this;
        }

        /** How the pool picks a member; default {@link Balance#leastConnections()}. */
        public Builder balance(Balance balance) {
            this.balance = Objects.requireNonNull(balance, "balance");
            return this;
        }

        /** Passive and active health, retries and DNS of the pool; default {@link PoolSettings#defaults()}. */
        public Builder poolSettings(PoolSettings poolSettings) {
            this.poolSettings = Objects.requireNonNull(poolSettings, "poolSettings");
            return this;
        }

        /**
         * Deadline for TCP connect plus upstream handshake, over all of a pool's attempts; over it the client
         * gets 504. Default 10 s.
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /**
         * Let the client hop negotiate permessage-deflate (RFC 7692) with the servlet container; default
         * {@code false}: the container's answer to the client carries no extension. In message mode each hop
         * negotiates on its own and the upstream hop (Tyrus) never compresses, so compression on the client hop
         * means the proxy inflates every client message and deflates every message to the client: CPU on the
         * proxy and, with context takeover, a compression window per direction held for the connection's life
         * (tens of KiB each, idle or not). Turn it on for slow client links carrying compressible text. Offers
         * with {@code server_max_window_bits} are declined even then, since Jetty accepts them without echoing
         * the parameter (RFC 7692 section 7.1.2.1 requires the echo); an offer without it is taken instead.
         */
        public Builder clientCompression(boolean clientCompression) {
            this.clientCompression = clientCompression;
            return this;
        }

        /** Answer non-upgrade requests on this route with 426 instead of passing them to the app. */
        public Builder rejectNonUpgrade(boolean rejectNonUpgrade) {
            this.rejectNonUpgrade = rejectNonUpgrade;
            return this;
        }

        /** Send the client's {@code Host} (true, default) or the upstream's host and port (false). */
        public Builder preserveHost(boolean preserveHost) {
            this.preserveHost = preserveHost;
            return this;
        }

        /**
         * Ping each peer once nothing was sent to it for this long; default 20 s (under the common 30 s idle
         * timeouts), {@link Duration#ZERO} for off.
         */
        public Builder pingInterval(Duration pingInterval) {
            this.pingInterval = pingInterval;
            return this;
        }

        /** Close after this long without data either way (pings do not count); default ZERO (off). */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /** Largest upstream frame accepted; default 16 MiB. */
        public Builder maxFrameSize(int maxFrameSize) {
            this.maxFrameSize = maxFrameSize;
            return this;
        }

        /** Largest message relayed either way; default 64 MiB. */
        public Builder maxMessageSize(long maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
            return this;
        }

        /** Most concurrent connections on this route; default 0 (unlimited). */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * Peers whose {@code X-Forwarded-For}, {@code X-Forwarded-Proto/-Host/-Port} and {@code Forwarded}
         * headers are believed: IP literals or CIDR blocks ({@code "10.0.0.0/8"}, {@code "::1"}), never host
         * names. A request from a trusted peer has its address appended to the incoming
         * {@code X-Forwarded-For} chain; from any other peer the chain is replaced by the peer's address, so
         * clients cannot forge it. Default: none trusted. Replaces earlier calls.
         */
        public Builder trustedProxies(String... addressesOrCidrs) {
            headerPolicy.trustedProxies(Arrays.asList(addressesOrCidrs));
            return this;
        }

        /**
         * Also send an RFC 7239 {@code Forwarded: for=...;host=...;proto=...} header (appended to a trusted
         * peer's). Default {@code false}: only the {@code X-Forwarded-*} family, which most servers read.
         */
        public Builder forwardedHeader(boolean forwardedHeader) {
            headerPolicy.forwarded(forwardedHeader);
            return this;
        }

        /**
         * Appends {@code value} to the upstream header {@code name} (comma-joined; {@code "; "} for
         * {@code Cookie}), adding it if absent. Header edits run in the order called, after the proxy
         * computed its own headers, so they can also change {@code X-Forwarded-*}.
         */
        public Builder addHeader(String name, String value) {
            headerPolicy.add(name, value);
            return this;
        }

        /** Sends {@code name: value} upstream, replacing the client's or the proxy's value. */
        public Builder setHeader(String name, String value) {
            headerPolicy.set(name, value);
            return this;
        }

        /** Never sends header {@code name} upstream (e.g. {@code "Cookie"}, {@code "X-Real-IP"}). */
        public Builder removeHeader(String name) {
            headerPolicy.remove(name);
            return this;
        }

        /**
         * Origins ({@code scheme://host[:port]}, compared case-insensitively, default ports ignored) whose
         * browser pages may connect; a handshake with any other {@code Origin} gets 403 before the upstream
         * is contacted. A handshake without {@code Origin} (non-browser clients) is allowed. Default: any
         * origin. Replaces earlier calls.
         */
        public Builder allowedOrigins(String... origins) {
            headerPolicy.allowedOrigins(Arrays.asList(origins));
            return this;
        }

        /**
         * Forward paths with an encoded slash ({@code %2F}) inside a segment, encoded as sent. Default
         * {@code false}: such a handshake gets 400, because an upstream that decodes {@code %2F} would see
         * different segments than the route was chosen for ({@code /ws/admin%2Fx} taking the {@code /ws/}
         * route to an upstream {@code /admin/x}). Turn on only when the upstream keeps {@code %2F} opaque.
         */
        public Builder allowEncodedSlash(boolean allowEncodedSlash) {
            this.allowEncodedSlash = allowEncodedSlash;
            return this;
        }

        /**
         * Forward repeated {@code /} as sent instead of merged. Matching always merges them (so
         * {@code /ws//admin} cannot take a weaker route than {@code /ws/admin}); with this on, a path that
         * matches the route only once merged gets 400. Default {@code false} (merged, as nginx
         * {@code merge_slashes on}).
         */
        public Builder keepRepeatedSlashes(boolean keepRepeatedSlashes) {
            this.keepRepeatedSlashes = keepRepeatedSlashes;
            return this;
        }

        /**
         * Forward request headers whose names contain {@code _}. Default {@code false}: they are dropped (nginx
         * {@code underscores_in_headers off}), because many frameworks fold {@code X_Forwarded_For} into
         * {@code X-Forwarded-For}, which would let a client forge what the proxy computes.
         */
        public Builder keepUnderscoreHeaders(boolean keepUnderscoreHeaders) {
            headerPolicy.keepUnderscores(keepUnderscoreHeaders);
            return this;
        }

        /**
         * Send the authenticated user's name ({@link HandshakeRequest#user()}: the servlet adapter reads
         * {@code HttpServletRequest.getRemoteUser()}, so Spring Security's, Jetty's or Tomcat's login) upstream
         * in header {@code name}, e.g. {@code "X-Forwarded-User"}. Whatever the client sent in that header is
         * always dropped, and nothing is sent for an anonymous request. Default: none. The proxy must run after
         * the application's security filters for a user to be known.
         */
        public Builder userHeader(String name) {
            headerPolicy.userHeader(name);
            return this;
        }

        /** Limits each connection's client-to-upstream messages and bytes per second (see {@link RateLimit}). */
        public Builder rateLimit(RateLimit rateLimit) {
            this.rateLimit = Objects.requireNonNull(rateLimit, "rateLimit");
            return this;
        }

        /**
         * Validates and builds the route.
         *
         * @throws IllegalArgumentException naming the bad field, its value and the fix
         */
        public ProxyRoute build() {
            Pattern regex = RoutePaths.compile(match == Match.REGEX, match == Match.PREFIX, path);
            PoolSpec pool = PoolSpec.of(path, upstream, upstreams, balance, poolSettings, regex);
            pool.checkRelayMode(path, relayMode == RelayMode.MESSAGE);
            RouteChecks.limits(connectTimeout, pingInterval, idleTimeout, maxFrameSize, maxMessageSize,
                    maxConnections);
            return new ProxyRoute(copy(), regex, pool, headerPolicy.build());
        }

        /** A copy of every setting (the header policy's builder is shared: a route keeps its built policy). */
        private Builder copy() {
            Builder b = new Builder(match, path);
            b.upstream = upstream;
            b.upstreams = upstreams;
            b.balance = balance;
            b.poolSettings = poolSettings;
            b.connectTimeout = connectTimeout;
            b.rejectNonUpgrade = rejectNonUpgrade;
            b.clientCompression = clientCompression;
            b.preserveHost = preserveHost;
            b.pingInterval = pingInterval;
            b.idleTimeout = idleTimeout;
            b.maxFrameSize = maxFrameSize;
            b.maxMessageSize = maxMessageSize;
            b.maxConnections = maxConnections;
            b.headerPolicy = headerPolicy;
            b.relayMode = relayMode;
            b.allowEncodedSlash = allowEncodedSlash;
            b.keepRepeatedSlashes = keepRepeatedSlashes;
            b.rateLimit = rateLimit;
            return b;
        }
    }
}
