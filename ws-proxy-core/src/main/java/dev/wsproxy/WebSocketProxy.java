package dev.wsproxy;

import dev.wsproxy.internal.ActiveConnections;
import dev.wsproxy.internal.Authorization;
import dev.wsproxy.internal.ConnectionLimits;
import dev.wsproxy.internal.HandshakeValidator;
import dev.wsproxy.internal.PathNormalizer;
import dev.wsproxy.internal.ProxiedConnection;
import dev.wsproxy.internal.RelayTimers;
import dev.wsproxy.internal.UpstreamClient;
import dev.wsproxy.internal.UpstreamClients;
import dev.wsproxy.internal.UpstreamFailure;
import dev.wsproxy.internal.UpstreamHeaders;
import dev.wsproxy.internal.metrics.AccessLog;
import dev.wsproxy.internal.metrics.JmxMetrics;
import dev.wsproxy.internal.metrics.MetricsRegistry;
import dev.wsproxy.internal.metrics.ProxyObserver;
import dev.wsproxy.internal.pool.HashKeys;
import dev.wsproxy.internal.pool.HealthChecks;
import dev.wsproxy.internal.pool.Pools;
import dev.wsproxy.internal.tunnel.BufferPool;
import dev.wsproxy.internal.tunnel.Tunnel;
import dev.wsproxy.internal.tunnel.TunnelConnector;
import dev.wsproxy.internal.tunnel.UpstreamHandshake;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket reverse proxy: a set of {@link ProxyRoute}s and the upstream client that serves them.
 * Adapters ({@code ws-proxy-servlet}, {@code ws-proxy-jetty}) hand every request to
 * {@link #handshake(HandshakeRequest)} and act on the {@link HandshakeResult}.
 *
 * <pre>{@code
 * WebSocketProxy proxy = WebSocketProxy.builder()
 *     .route(ProxyRoute.prefix("/ws/").upstream("ws://backend:8080/").build())
 *     .build();
 * }</pre>
 *
 * <p>Lifecycle: created by {@link Builder#build()}, which creates one Tyrus client; ended by
 * {@link #close()}, which closes every relayed connection with 1001 and releases the client. The proxy
 * is owned by whoever built it: adapters never close it.
 *
 * <p>Refusals caused by the upstream (502, 504, the upstream's own 4xx) answer the client with a generic
 * reason and the connection id ({@code upstream unavailable (connection ws-1f)}); the full reason, with the
 * upstream's address, goes to the WARN line tagged with that id and to {@link ProxyListener#onRefused}.
 * {@link Builder#detailedErrors(boolean)} puts the full reason in the body too, for development.
 *
 * <p>Each route's upstream is a pool ({@link #pool(String)}): members chosen per connection, failover before
 * the 101, health; {@link ProxyConnection#upstreamMember()} names the member that served a connection.
 *
 * <p>Relaying: {@linkplain ProxyRoute.RelayMode#TUNNEL tunnel mode} for HTTP/1.1 clients (the default:
 * bytes relayed unchanged after both handshakes, frame headers tracked), {@linkplain
 * ProxyRoute.RelayMode#MESSAGE message mode} for HTTP/2 clients and routes that ask for it.
 *
 * <p>Thread-safe: {@link #handshake} and {@link #handshakeAsync} are called concurrently by container
 * threads. {@code handshakeAsync} never blocks in tunnel mode (the upstream connects without a thread
 * waiting); {@code handshake} blocks the calling thread while the upstream connects (at most the route's
 * connect timeout).
 */
public final class WebSocketProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketProxy.class);

    /** Default time {@link #close()} waits for close handshakes before dropping connections. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

    /** Default time a client has to send its whole request head, where the adapter can enforce it. */
    public static final Duration DEFAULT_REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(10);

    /** Default time an {@link AsyncHandshakeAuthorizer} has to decide. */
    public static final Duration DEFAULT_AUTHORIZATION_TIMEOUT = Duration.ofSeconds(10);

    private static final AtomicLong CONNECTION_IDS = new AtomicLong();

    private final List<ProxyRoute> routes;
    private final RouteTable table;
    private final Pools pools;
    /** Message mode's upstream client, created on first use (tunnel-only proxies never start its threads). */
    private UpstreamClient connector;
    private final String messageClient;
    private final Duration longestConnectTimeout;
    private final TunnelConnector tunnelConnector;
    private final BufferPool buffers = new BufferPool(64 * 1024, 64);
    private final RelayTimers timers = new RelayTimers();
    private final ProxyListener listener;
    private final ConnectionLimits limits;
    private final Duration drainTimeout;
    private final Duration requestHeadTimeout;
    private final boolean detailedErrors;
    private final ActiveConnections active = new ActiveConnections();
    private final MetricsRegistry metrics = new MetricsRegistry();
    private final ProxyObserver observer;
    private final JmxMetrics jmx;
    private final Authorization authorization;
    private final Refusals refusals;
    private final MessageHandshakes messageHandshakes;
    private volatile boolean closed;
    private boolean released;

    private WebSocketProxy(Builder b) {
        this.routes = List.copyOf(b.routes);
        this.table = new RouteTable(routes);
        Duration longest = routes.stream().map(ProxyRoute::connectTimeout).max(Comparator.naturalOrder())
                .orElse(ProxyRoute.DEFAULT_CONNECT_TIMEOUT);
        this.longestConnectTimeout = longest;
        this.messageClient = b.messageClient;
        this.tunnelConnector = new TunnelConnector(longest);
        this.pools = new Pools(routes, ProxyRoute::pool, HealthChecks.tunnelProbe(tunnelConnector));
        this.observer = new ProxyObserver(b.listener, b.metrics ? metrics : null, new AccessLog(b.accessLog));
        this.listener = observer;
        this.jmx = b.metrics && b.jmx ? JmxMetrics.register(metrics, routes) : null;
        this.limits = new ConnectionLimits(b.maxConnections, b.maxConnectionsPerClient);
        this.drainTimeout = b.drainTimeout;
        this.requestHeadTimeout = b.requestHeadTimeout;
        this.detailedErrors = b.detailedErrors;
        this.refusals = new Refusals(observer, b.detailedErrors);
        this.messageHandshakes = new MessageHandshakes(pools, timers, observer, active, refusals,
                this::messageConnector, this::released, () -> closed);
        this.authorization = Authorization.of(b.authorizer, b.asyncAuthorizer, b.authorizationTimeout, timers);
    }

    /** Starts a proxy configuration. */
    public static Builder builder() {
        return new Builder();
    }

    /** The routes, in registration order. */
    public List<ProxyRoute> routes() {
        return routes;
    }

    /**
     * How long a client may take to send its whole request head before adapters that can enforce it
     * ({@code JettyProxyServer}, {@code JettyWebSocketProxy.mount}) answer 408 and close; default 10 s,
     * {@link Duration#ZERO} off.
     */
    public Duration requestHeadTimeout() {
        return requestHeadTimeout;
    }

    /** Whether refusals caused by the upstream carry the full reason in their body; default {@code false}. */
    public boolean detailedErrors() {
        return detailedErrors;
    }

    /** Metrics per route and upstream member (empty with {@code metrics(false)}); see the README. */
    public ProxyMetrics metrics() {
        return metrics;
    }

    /**
     * The live upstream pool of the route with path (prefix, exact path or regex as given) {@code routePath}.
     *
     * @throws IllegalArgumentException when no route has that path (the message lists them)
     */
    public UpstreamPool pool(String routePath) {
        return pools.byPath(routes, routePath);
    }

    /** Every route's live upstream pool, in route order. */
    public List<UpstreamPool> upstreamPools() {
        return pools.all(routes);
    }

    /**
     * Whether {@link #handshakeAsync} may block its calling thread: a synchronous {@link HandshakeAuthorizer} is
     * set (and no asynchronous one), and it runs there. Everything else it does before the upstream answers is
     * non-blocking, so an adapter may call it on a thread that must not block (a selector) unless this is true.
     */
    public boolean handshakesMayBlock() {
        return authorization != null && authorization.blocks();
    }

    /**
     * Whether {@link #handshakeAsync} would relay {@code request}, if it is a valid handshake, in tunnel mode: it
     * is HTTP/1.1, {@linkplain HandshakeRequest#tunnelCapable() tunnel-capable} and on a route whose relay mode is
     * {@code TUNNEL}. False when no route matches. For adapters that serve tunnels themselves and pass everything
     * else to a container ({@code JettyProxyServer}'s core handler); cheap (one route lookup), never throws.
     */
    public boolean tunnels(HandshakeRequest request) {
        if (!"HTTP/1.1".equals(request.protocol()) || !request.tunnelCapable()) {
            return false;
        }
        try {
            Map.Entry<ProxyRoute, String> routed = route(PathNormalizer.normalize(request.path(), false).path(),
                    request.query());
            return routed != null && routed.getKey().relayMode() == ProxyRoute.RelayMode.TUNNEL;
        } catch (RuntimeException | StackOverflowError e) {
            return false; // handshakeAsync answers this request with its reason
        }
    }

    /** Number of relayed connections not yet fully closed. */
    public int activeConnections() {
        return active.size();
    }

    /**
     * Decides what to do with one request and, for a valid handshake on a route, connects the upstream.
     * Never throws for bad input and never answers 500: every problem, including an unexpected exception
     * inside the proxy, becomes a {@link HandshakeResult.Action#REJECT} with a one-line reason, logged once
     * at WARN with the connection id, client address and path.
     */
    public HandshakeResult handshake(HandshakeRequest request) {
        return handshakeAsync(request).toCompletableFuture().join();
    }

    /**
     * {@link #handshake} without blocking: in tunnel mode the stage completes when the upstream answered (or
     * failed, or its deadline passed) on one of the proxy's I/O threads. Never completes exceptionally.
     */
    public CompletionStage<HandshakeResult> handshakeAsync(HandshakeRequest request) {
        Objects.requireNonNull(request, "request");
        String id = "-";
        try {
            PathNormalizer.Result normalized = PathNormalizer.normalize(request.path(), false);
            Map.Entry<ProxyRoute, String> routed = route(normalized.path(), request.query());
            if (routed == null) {
                return CompletableFuture.completedFuture(HandshakeResult.pass());
            }
            id = "ws-" + Long.toHexString(CONNECTION_IDS.incrementAndGet());
            CompletionStage<HandshakeResult> result = handshake(id, routed.getKey(), routed.getValue(), normalized,
                    request);
            return observer.active() ? observed(id, routed, request, System.nanoTime(), result) : result;
        } catch (RuntimeException | StackOverflowError e) {
            return CompletableFuture.completedFuture(refusals.unexpected(id, request, e));
        }
    }

    private CompletionStage<HandshakeResult> observed(String id, Map.Entry<ProxyRoute, String> routed,
            HandshakeRequest request, long startNanos, CompletionStage<HandshakeResult> result) {
        return result.thenApply(r -> r.action() == HandshakeResult.Action.PASS ? r : observer.handshake(r, id,
                routed.getKey().path(), routed.getValue(), request, routed.getKey().headerPolicy(), startNanos,
                r.connection(), r.status(), r.logReason, r.byUpstream));
    }

    /** The route for a normalised path and its upstream URI, or {@code null} (see {@link RouteTable}). */
    Map.Entry<ProxyRoute, String> route(String path, String rawQuery) {
        return table.route(path, rawQuery);
    }

    private CompletionStage<HandshakeResult> handshake(String id, ProxyRoute route, String target,
                                                       PathNormalizer.Result normalized, HandshakeRequest request) {
        Object early = check(id, route, target, normalized, request);
        if (early instanceof HandshakeResult) {
            return CompletableFuture.completedFuture((HandshakeResult) early);
        }
        String checked = (String) early;
        String key = HashKeys.of(route.pool(), request, route.headerPolicy(), normalized.path());
        if (authorization == null) {
            return connect(id, route, checked, request, key, HandshakeDecision.allow());
        }
        CompletableFuture<Authorization.Outcome> deciding = authorization.decide(id, request, route);
        java.util.function.Function<Authorization.Outcome, CompletionStage<HandshakeResult>> next = outcome -> {
            HandshakeDecision decision = outcome.decision();
            // the route's target: a pool puts the chosen member's authority on it
            return decision.isAllowed() ? connect(id, route, checked, request, key, decision)
                    : CompletableFuture.completedFuture(refusals.refuse(id, request, decision.status(), outcome.logReason(),
                    decision.reason(), decision.responseHeaders()));
        };
        // a late decision must not run message mode's blocking connect on the authorizer's or the timer's thread
        return (deciding.isDone() ? deciding.thenCompose(next) : deciding.thenComposeAsync(next, timers::submit))
                .exceptionally(e -> refusals.unexpected(id, request, e instanceof CompletionException ? e.getCause() : e));
    }

    /** After the authorizer allowed it: the connection limits, then the upstream. */
    private CompletionStage<HandshakeResult> connect(String id, ProxyRoute route, String target,
                                                     HandshakeRequest request, String key,
                                                     HandshakeDecision decision) {
        URI targetUri;
        try {
            targetUri = new URI(target);
        } catch (URISyntaxException e) {
            return CompletableFuture.completedFuture(refusals.refuse(id, request, 400, "request path or query is not a"
                    + " valid URI: " + HandshakeValidator.printable(e.getReason()), Map.of()));
        }
        String overLimit = limits.acquire(route, request.remoteAddress());
        if (overLimit != null) {
            return CompletableFuture.completedFuture(refusals.refuse(id, request, 503, overLimit, Map.of("Retry-After", "5")));
        }
        if (route.relayMode() == ProxyRoute.RelayMode.TUNNEL && "HTTP/1.1".equals(request.protocol())
                && request.tunnelCapable()) {
            return tunnel(id, route, targetUri, request, key, decision);
        }
        return CompletableFuture.completedFuture(messageHandshakes.open(id, route, target, targetUri, request, key,
                decision));
    }

    /**
     * Everything decided before any upstream is contacted: a {@link HandshakeResult} to answer now, or the
     * (possibly rewritten) upstream target to go on with.
     */
    private Object check(String id, ProxyRoute route, String target, PathNormalizer.Result normalized,
                         HandshakeRequest request) {
        Object checked = HandshakeChecks.check(route, target, normalized, request);
        if (checked == HandshakeChecks.PASS) {
            return HandshakeResult.pass();
        }
        if (checked instanceof HandshakeValidator.Refusal) {
            HandshakeValidator.Refusal refusal = (HandshakeValidator.Refusal) checked;
            return refusals.refuse(id, request, refusal.status, refusal.reason, refusal.headers);
        }
        if (closed) {
            return refusals.refuse(id, request, 503, "proxy is shutting down", Map.of("Retry-After", "1"));
        }
        return checked;
    }

    /** Tunnel mode: connect upstream without blocking, forwarding the client's handshake fields. */
    private CompletionStage<HandshakeResult> tunnel(String id, ProxyRoute route, URI targetUri,
                                                    HandshakeRequest request, String key,
                                                    HandshakeDecision decision) {
        String clientAddress = request.remoteAddress(); // not the request: the tunnel outlives its headers
        Tunnel tunnel = new Tunnel(id, route, clientAddress, request.path(), targetUri, timers, listener,
                buffers, ended -> released(ended, route, clientAddress));
        active.add(tunnel);
        List<String> offered = UpstreamHeaders.offeredSubprotocols(request);
        TunnelConnector.ClientOffer offer = new TunnelConnector.ClientOffer(request.header("Sec-WebSocket-Key"),
                "13", offered, request.headers("Sec-WebSocket-Extensions"));
        Map<String, String> headers = Authorization.withHeaders(UpstreamHeaders.forUpstream(request,
                route.preserveHost(), route.strippedPrefix(), route.headerPolicy()), decision);
        CompletableFuture<Pools.Connected<UpstreamHandshake>> connecting;
        try {
            connecting = pools.connect(id, route, key, targetUri.toString(), decision.upstream(), route.connectTimeout(),
                    (target, address, deadline) -> tunnelConnector.connect(target, address, headers, offer, deadline));
        } catch (RuntimeException e) {
            tunnel.upstreamFailed();
            throw e;
        }
        return connecting.handle((connected, failure) -> {
            try {
                if (failure != null) {
                    tunnel.upstreamFailed();
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof UpstreamFailure) {
                        LOG.debug("[{}] upstream failure", id, cause.getCause());
                        return refusals.refusePool(id, request, (UpstreamFailure) cause);
                    }
                    return refusals.unexpected(id, request, cause);
                }
                UpstreamHandshake upstream = connected.value;
                tunnel.upstreamChosen(connected.target, connected.member());
                pools.attach(tunnel, connected);
                if (closed || !tunnel.upstreamConnected(upstream)) {
                    pools.release(tunnel);
                    tunnel.shutdown();
                    return refusals.refuse(id, request, 503, "proxy is shutting down", Map.of("Retry-After", "1"));
                }
                LOG.debug("[{}] {} {} -> {} (tunnel, subprotocol {})", id, request.remoteAddress(), request,
                        connected.target, upstream.subprotocol());
                return HandshakeResult.tunnel(tunnel, upstream.clientHeaders());
            } catch (RuntimeException e) {
                tunnel.clientUpgradeFailed(e);
                return refusals.unexpected(id, request, e);
            }
        });
    }

    private synchronized UpstreamClient messageConnector() {
        if (connector == null) {
            connector = UpstreamClients.create(messageClient, longestConnectTimeout, routes.stream()
                    .mapToInt(ProxyRoute::maxFrameSize).max().orElse(ProxyRoute.DEFAULT_MAX_FRAME_SIZE));
        }
        return connector;
    }

    private void released(ProxiedConnection relay, ProxyRoute route, String clientAddress) {
        pools.release(relay);
        if (active.remove(relay)) {
            limits.release(route, clientAddress);
        }
    }

    /**
     * Graceful shutdown: {@link #drain()}, then releases the upstream client and the proxy's threads.
     * Idempotent; blocks for at most the drain timeout.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        drain();
        timers.close();
        synchronized (this) {
            if (connector != null) {
                connector.close();
            }
        }
        pools.close();
        tunnelConnector.close();
        if (jmx != null) {
            jmx.unregister();
        }
    }

    /**
     * Ends every connection gracefully and refuses new ones, but keeps the proxy's resources for
     * {@link #close()}: stops accepting handshakes (they get 503), sends 1001 to every client and upstream,
     * waits up to the drain timeout for their close handshakes, then drops what is left. Servers built
     * around a proxy call this before they stop, so clients see 1001 rather than a lost connection.
     * Idempotent; blocks for at most the drain timeout.
     */
    public void drain() {
        closed = true;
        active.drain(drainTimeout);
    }

    /** Collects routes and settings; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private final List<ProxyRoute> routes = new ArrayList<>();
        private ProxyListener listener = ProxyListener.NONE;
        private int maxConnections;
        private int maxConnectionsPerClient;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration requestHeadTimeout = DEFAULT_REQUEST_HEAD_TIMEOUT;
        private boolean detailedErrors;
        private String messageClient = UpstreamClients.AUTO;
        private boolean metrics = true;
        private boolean jmx;
        private AccessLog.Format accessLog = AccessLog.Format.KEYVALUE;
        private HandshakeAuthorizer authorizer;
        private AsyncHandshakeAuthorizer asyncAuthorizer;
        private Duration authorizationTimeout = DEFAULT_AUTHORIZATION_TIMEOUT;

        private Builder() {
        }

        /**
         * How long a client may take to send its whole request head (request line and headers) before the
         * server answers 408 and closes the connection, against clients that hold connections open by sending
         * a byte now and then (slowloris). Enforced by {@code JettyProxyServer} and {@code
         * JettyWebSocketProxy.mount} on every HTTP/1.1 connection of the server; other containers have their
         * own setting (see the README). Default 10 s; {@link Duration#ZERO} turns it off.
         */
        public Builder requestHeadTimeout(Duration requestHeadTimeout) {
            this.requestHeadTimeout = requestHeadTimeout;
            return this;
        }

        /**
         * Put the full reason of a refusal the upstream caused (its address, the exception) in the response
         * body, for development. Default {@code false}: the body says only {@code upstream unavailable},
         * {@code upstream timed out} or {@code upstream refused the handshake with HTTP 4xx} and the connection
         * id, and the full reason is in the WARN log line with that id, so anonymous clients learn nothing
         * about the network behind the proxy.
         */
        public Builder detailedErrors(boolean detailedErrors) {
            this.detailedErrors = detailedErrors;
            return this;
        }

        /**
         * The WebSocket client message mode connects upstreams with: {@code "auto"} (the default: Jetty's client
         * when {@code ws-proxy-jetty} is on the classpath, as it measured faster, else Tyrus), {@code "jetty"} or
         * {@code "tyrus"}. Tunnel mode does not use one.
         */
        public Builder messageClient(String messageClient) {
            this.messageClient = Objects.requireNonNull(messageClient, "messageClient").trim();
            return this;
        }

        /** Aggregate {@link WebSocketProxy#metrics()} (off: nothing aggregated, no JMX); default {@code true}. */
        public Builder metrics(boolean metrics) {
            this.metrics = metrics;
            return this;
        }

        /** Register the metrics as platform MBeans {@code dev.wsproxy:type=Route|Upstream,...}; default false. */
        public Builder jmx(boolean jmx) {
            this.jmx = jmx;
            return this;
        }

        /** Access log on SLF4J {@code dev.wsproxy.access}: {@code keyvalue} (default), {@code json} or {@code off}. */
        public Builder accessLog(String format) {
            this.accessLog = AccessLog.parse("accessLog", format);
            return this;
        }

        /** Receives every connection's open and terminal events; default {@link ProxyListener#NONE}. */
        public Builder listener(ProxyListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Most concurrent connections over all routes (more get 503); default 0, unlimited. */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        /** Most concurrent connections from one client address (more get 503); default 0, unlimited. */
        public Builder maxConnectionsPerClient(int maxConnectionsPerClient) {
            this.maxConnectionsPerClient = maxConnectionsPerClient;
            return this;
        }

        /** How long {@link WebSocketProxy#close()} waits for close handshakes; default 10 s. */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = drainTimeout;
            return this;
        }

        /** Decides every routed handshake before the upstream is contacted (see {@link HandshakeAuthorizer}). */
        public Builder authorizer(HandshakeAuthorizer authorizer) {
            this.authorizer = authorizer;
            return this;
        }

        /** Like {@link #authorizer} for decisions that wait on I/O; replaces it when both are set to non-null. */
        public Builder asyncAuthorizer(AsyncHandshakeAuthorizer asyncAuthorizer) {
            this.asyncAuthorizer = asyncAuthorizer;
            return this;
        }

        /** How long an {@link AsyncHandshakeAuthorizer} may take (later: 503); default 10 s. */
        public Builder authorizationTimeout(Duration authorizationTimeout) {
            this.authorizationTimeout = authorizationTimeout;
            return this;
        }

        /** Adds a route. Exact routes are tried first, then the longest prefix, then regexes in order. */
        public Builder route(ProxyRoute route) {
            routes.add(Objects.requireNonNull(route, "route"));
            return this;
        }

        /**
         * Builds the proxy and its upstream client.
         *
         * @throws IllegalArgumentException when two routes have the same kind and path
         */
        public WebSocketProxy build() {
            if (!UpstreamClients.available(messageClient)) {
                throw new IllegalArgumentException("messageClient must be auto, jetty or tyrus but was '"
                        + messageClient + "' (jetty needs dev.wsproxy:ws-proxy-jetty on the classpath)");
            }
            if (maxConnections < 0 || maxConnectionsPerClient < 0) {
                throw new IllegalArgumentException("maxConnections and maxConnectionsPerClient must be 0 (unlimited)"
                        + " or positive but were " + maxConnections + " and " + maxConnectionsPerClient);
            }
            if (drainTimeout == null || drainTimeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout must be zero or positive but was " + drainTimeout
                        + " (the default is " + DEFAULT_DRAIN_TIMEOUT + ")");
            }
            if (requestHeadTimeout == null || requestHeadTimeout.isNegative()) {
                throw new IllegalArgumentException("requestHeadTimeout must be zero (off) or positive but was "
                        + requestHeadTimeout + " (the default is " + DEFAULT_REQUEST_HEAD_TIMEOUT + ")");
            }
            if (authorizationTimeout == null || authorizationTimeout.isNegative() || authorizationTimeout.isZero()) {
                throw new IllegalArgumentException("authorizationTimeout must be positive but was "
                        + authorizationTimeout + " (the default is " + DEFAULT_AUTHORIZATION_TIMEOUT + ")");
            }
            Set<String> seen = new java.util.HashSet<>();
            for (ProxyRoute r : routes) {
                if (!seen.add(r.match() + " " + r.path())) {
                    throw new IllegalArgumentException("two routes for " + r.match().name().toLowerCase(
                            java.util.Locale.ROOT) + " '" + r.path() + "' (remove one; the first would always win)");
                }
            }
            return new WebSocketProxy(this);
        }
    }
}
