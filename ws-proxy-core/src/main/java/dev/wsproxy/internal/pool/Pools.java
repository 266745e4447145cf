package dev.wsproxy.internal.pool;

import dev.wsproxy.PoolSettings;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.UpstreamPool;
import dev.wsproxy.internal.Durations;
import dev.wsproxy.internal.ProxiedConnection;
import dev.wsproxy.internal.UpstreamClient;
import dev.wsproxy.internal.UpstreamFailure;
import dev.wsproxy.internal.UpstreamFailures;
import jakarta.websocket.Endpoint;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every route's {@link Pool} of one proxy, the connect-attempt loop (retries before the 101), which member
 * serves which connection, and the threads pools need: a small DNS executor and, only when a route has active
 * health checks or a drain deadline is set, one scheduler.
 *
 * <p>Lifecycle: created with the proxy, {@link #close()}d with it. Thread-safe.
 */
public final class Pools implements AutoCloseable {

    /** One connect attempt to a member: to {@code target}, at {@code address}, within {@code deadline}. */
    @FunctionalInterface
    public interface Attempt<T> {
        CompletableFuture<T> connect(URI target, InetSocketAddress address, Duration deadline);
    }

    /** A successful attempt: what it produced, the member's URI for this connection, and the member. */
    public static final class Connected<T> {
        public final T value;
        public final URI target;
        final Member member;

        Connected(T value, URI target, Member member) {
            this.value = value;
            this.target = target;
            this.member = member;
        }

        /** The member's name: its configured URI; for an expanded member {@code uri (address)}. */
        public String member() {
            return member.name();
        }
    }

    private final Map<ProxyRoute, Pool> pools = new IdentityHashMap<>();
    private final Map<ProxiedConnection, Member> serving = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor dnsThreads;
    private ScheduledExecutorService scheduler;
    private final HealthChecks health;

    /** @param probe the WebSocket handshake active health checks make */
    public Pools(List<ProxyRoute> routes, Function<ProxyRoute, PoolSpec> specs, HealthChecks.Probe probe) {
        dnsThreads = new ThreadPoolExecutor(4, 4, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemon("ws-proxy-dns"));
        dnsThreads.allowCoreThreadTimeOut(true);
        for (ProxyRoute route : routes) {
            pools.put(route, new Pool(route, specs.apply(route), dnsThreads, this::scheduler));
        }
        health = new HealthChecks(probe);
        for (Pool pool : pools.values()) {
            if (pool.spec.settings().healthCheck() != null) {
                health.start(pool, scheduler());
            }
        }
    }

    private synchronized ScheduledExecutorService scheduler() {
        if (scheduler == null) {
            ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, daemon("ws-proxy-pool"));
            s.setRemoveOnCancelPolicy(true);
            scheduler = s;
        }
        return scheduler;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** The pool of {@code route}. */
    public Pool of(ProxyRoute route) {
        return pools.get(route);
    }

    /** Every pool, in the order of the given routes. */
    public List<UpstreamPool> all(List<ProxyRoute> routes) {
        return routes.stream().map(r -> (UpstreamPool) pools.get(r)).toList();
    }

    /** The pool of the route whose path is {@code routePath}; IllegalArgumentException listing them if none. */
    public UpstreamPool byPath(List<ProxyRoute> routes, String routePath) {
        for (ProxyRoute route : routes) {
            if (route.path().equals(routePath)) {
                return pools.get(route);
            }
        }
        throw new IllegalArgumentException("no route has path '" + routePath + "' (routes: "
                + routes.stream().map(ProxyRoute::path).toList() + ")");
    }

    /**
     * Connects through {@code route}'s pool: picks a member, tries it, and on a connect failure, TLS failure,
     * 5xx answer or attempt deadline tries the next, at most the pool's attempts within {@code overall}. An
     * upstream's 4xx ends it at once. Fails with an {@link UpstreamFailure}: the single attempt's, one that names
     * every attempt, or 503 when no member could take the connection.
     *
     * @param id the connection id, for log lines
     * @param key the hash key, or {@code null}
     * @param target the route's rewritten upstream URI (the first member's base, then path and query)
     */
    public <T> CompletableFuture<Connected<T>> connect(String id, ProxyRoute route, String key, String target,
                                                       Duration overall, Attempt<T> attempt) {
        return connect(id, route, key, target, null, overall, attempt);
    }

    /**
     * Like {@link #connect(String, ProxyRoute, String, String, Duration, Attempt)}, trying {@code preferred} (a
     * member's URI, as an authorizer chose it) first; a URI outside the pool is tried as a member of its own.
     */
    public <T> CompletableFuture<Connected<T>> connect(String id, ProxyRoute route, String key, String target,
                                                       URI preferred, Duration overall, Attempt<T> attempt) {
        Pool pool = pools.get(route);
        long start = System.nanoTime();
        // expanded names are resolved (when older than the TTL) before choosing, within the handshake's deadline
        return pool.refresh().copy().completeOnTimeout(null, overall.toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(resolved -> start(id, pool, key, target, preferred, overall, start, attempt));
    }

    private <T> CompletableFuture<Connected<T>> start(String id, Pool pool, String key, String target, URI preferred,
                                                     Duration overall, long start, Attempt<T> attempt) {
        List<Member> live = pool.live();
        Member first = null;
        List<Member> within = null;
        if (preferred != null) {
            String base = PoolSpec.base(preferred);
            List<Member> matching = live.stream().filter(m -> m.base.equals(base)).toList();
            if (matching.size() == 1) {
                first = matching.get(0);
            } else if (!matching.isEmpty()) {
                within = matching; // an expanded upstream: the pool picks among its addresses
            } else {
                // outside the pool (a tenant's own backend): its own member, without the pool's health state
                first = new Member(pool.route.path(), dev.wsproxy.Upstream.of(base + "/"), URI.create(base + "/"));
            }
        }
        PoolSettings settings = pool.spec.settings();
        int members = Math.max(1, live.size());
        int budget = settings.maxAttempts() == 0 ? members : settings.maxAttempts();
        Duration perAttempt = !settings.attemptTimeout().isZero() ? settings.attemptTimeout()
                : overall.dividedBy(Math.max(1, Math.min(budget, members)));
        Run<T> run = new Run<>(id, pool, key, target.substring(PoolSpec.base(pool.spec.first()).length()), attempt,
                budget, perAttempt, overall, start + overall.toNanos());
        run.preferred = first;
        run.within = within;
        run.next();
        return run.result;
    }

    /** The connection is served by the member of {@code connected}; its slot is released by {@link #release}. */
    public void attach(ProxiedConnection connection, Connected<?> connected) {
        connected.member.connections.add(connection);
        serving.put(connection, connected.member);
    }

    /** The connection ended (or never opened): frees its member's slot. Idempotent. */
    public void release(ProxiedConnection connection) {
        Member member = serving.remove(connection);
        if (member != null) {
            member.connections.remove(connection);
            member.releaseSlot();
        }
    }

    /** A successful attempt that will not be attached (the client went away): frees its slot. */
    public void abandon(Connected<?> connected) {
        connected.member.releaseSlot();
    }

    @Override
    public void close() {
        dnsThreads.shutdownNow();
        synchronized (this) {
            if (scheduler != null) {
                scheduler.shutdownNow();
            }
        }
        health.close();
    }

    /** One handshake's attempts. Its steps run one at a time (each after the previous completed). */
    private static final class Run<T> {
        final CompletableFuture<Connected<T>> result = new CompletableFuture<>();
        final String id;
        final Pool pool;
        final String key;
        final String pathAndQuery;
        final Attempt<T> attempt;
        final int budget;
        final Duration perAttempt;
        final Duration overall;
        final long deadline;
        final Set<Member> tried = new HashSet<>();
        final List<String> failures = new ArrayList<>();
        /** Tried first when set (an authorizer's choice). */
        Member preferred;
        /** The first attempt picks among these when set (an authorizer's choice of an expanded upstream). */
        List<Member> within;
        UpstreamFailure last;
        boolean allTimedOut = true;

        Run(String id, Pool pool, String key, String pathAndQuery, Attempt<T> attempt, int budget,
            Duration perAttempt, Duration overall, long deadline) {
            this.id = id;
            this.pool = pool;
            this.key = key;
            this.pathAndQuery = pathAndQuery;
            this.attempt = attempt;
            this.budget = budget;
            this.perAttempt = perAttempt;
            this.overall = overall;
            this.deadline = deadline;
        }

        void next() {
            long remaining = deadline - System.nanoTime();
            if (tried.size() >= budget || (last != null && remaining <= 0)) {
                finish(remaining <= 0);
                return;
            }
            Member member = choose();
            if (member == null) {
                if (last == null) {
                    UpstreamFailure unresolved = pool.unresolved(overall);
                    result.completeExceptionally(unresolved != null ? unresolved
                            : new UpstreamFailure(503, pool.noMemberReason(), null));
                } else {
                    finish(false);
                }
                return;
            }
            // the first attempt gets its whole share (the configured value, as the 504 reason names it)
            long share = tried.isEmpty() ? Math.min(perAttempt.toNanos(), overall.toNanos())
                    : Math.min(perAttempt.toNanos(), remaining);
            tried.add(member);
            Duration deadline = Duration.ofMillis(Math.max(1, share / 1_000_000));
            URI target = URI.create(member.base + pathAndQuery);
            CompletableFuture<T> connecting;
            try {
                // a resolver gets the attempt's deadline too (the connector enforces it on the connect itself)
                connecting = pool.dns.resolve(member).orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS)
                        .thenCompose(address -> attempt.connect(target, address, deadline));
            } catch (RuntimeException e) {
                connecting = CompletableFuture.failedFuture(e);
            }
            connecting.whenComplete((value, failure) -> {
                try {
                    completed(member, target, deadline, value, failure);
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e); // never leave the handshake waiting
                }
            });
        }

        /** The member for the next attempt, with a slot taken: an authorizer's choice first, else the pool's. */
        private Member choose() {
            Member member = preferred != null && tried.isEmpty() && preferred.tryAcquire() ? preferred : null;
            if (member == null && within != null && tried.isEmpty()) {
                member = pool.pick(tried, key, within);
            }
            return member != null ? member : pool.pick(tried, key, null);
        }

        private void completed(Member member, URI target, Duration deadline, T value, Throwable failure) {
            if (failure == null) {
                member.succeeded();
                result.complete(new Connected<>(value, target, member));
                return;
            }
            member.releaseSlot();
            UpstreamFailure f = unwrap(failure, member, deadline);
            if (f.status() >= 400 && f.status() < 500) {
                result.completeExceptionally(f); // the upstream's answer, not its failure
                return;
            }
            // an expanded member's failure names its address: the name alone does not say which one failed
            String described = member.address == null ? f.getMessage()
                    : "at " + member.address.getHostAddress() + ", " + f.getMessage();
            member.failed(id, pool.spec.settings().maxFails(), pool.spec.settings().failTimeout(),
                    pool.mayEject(), described);
            last = f;
            allTimedOut &= f.status() == 504;
            failures.add(described);
            next();
        }

        private void finish(boolean outOfTime) {
            if (failures.size() == 1) {
                result.completeExceptionally(last);
                return;
            }
            StringBuilder reason = new StringBuilder("all ").append(failures.size()).append(" attempt(s) failed");
            if (outOfTime) {
                reason.append(" within the route's connect timeout of ").append(Durations.format(overall));
            }
            for (int i = 0; i < failures.size(); i++) {
                reason.append(i == 0 ? ": " : "; ").append(i + 1).append(") ").append(failures.get(i));
            }
            result.completeExceptionally(new UpstreamFailure(allTimedOut ? 504 : 502, reason.toString(), last));
        }

        private static UpstreamFailure unwrap(Throwable failure, Member member, Duration deadline) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            return cause instanceof UpstreamFailure ? (UpstreamFailure) cause
                    : UpstreamFailures.classify(member.base, cause, deadline);
        }
    }

    /**
     * Message mode's attempt: a blocking connect with the upstream client, to the member's address (see
     * {@link #messageTarget}); each attempt gets its own copy of the headers.
     */
    public static Attempt<UpstreamClient.Connected> messageAttempt(Supplier<UpstreamClient> client,
            Map<String, String> headers, List<String> subprotocols, Endpoint endpoint, int maxFrameSize) {
        return (target, address, deadline) -> {
            Map<String, String> attemptHeaders = new LinkedHashMap<>(headers);
            try {
                return CompletableFuture.completedFuture(client.get().connect(messageTarget(target, address,
                        attemptHeaders), attemptHeaders, subprotocols, endpoint, deadline, maxFrameSize));
            } catch (UpstreamFailure failure) {
                return CompletableFuture.failedFuture(failure);
            }
        };
    }

    /**
     * Message mode's upstream URI for one attempt: the connecting client resolves names itself, so for
     * {@code ws://} the resolved address replaces the name and {@code Host} keeps it (for {@code wss://} the name
     * stays, for TLS). Puts {@code Host} into {@code headers} when it replaced the name and none is set.
     */
    public static String messageTarget(URI target, InetSocketAddress address, Map<String, String> headers) {
        String host = target.getHost();
        if (address == null || address.getAddress() == null || "wss".equalsIgnoreCase(target.getScheme())
                || host.startsWith("[") || address.getAddress().getHostAddress().equals(host)) {
            return target.toString();
        }
        headers.putIfAbsent("Host", target.getRawAuthority());
        String ip = address.getAddress().getHostAddress();
        String literal = ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
        return target.getScheme() + "://" + literal + (target.getPort() > 0 ? ":" + target.getPort() : "")
                + target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
    }
}
