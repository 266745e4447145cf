package dev.wsproxy.internal.pool;

import dev.wsproxy.Balance;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.UpstreamMember;
import dev.wsproxy.UpstreamPool;
import dev.wsproxy.internal.ProxiedConnection;
import java.time.Duration;
import dev.wsproxy.Upstream;
import dev.wsproxy.internal.UpstreamFailure;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One route's upstream pool: picks a member per connect attempt by the route's {@link Balance}, skipping
 * members that are drained, full, ejected or down (backups only when no primary can serve; every member when
 * none is healthy: panic mode), and keeps each member's live state. An {@link Upstream#expandAddresses()
 * expanded} upstream contributes one member per address of its host name ({@link Expansion}), so the member list
 * changes when the name resolves differently.
 *
 * <p>Thread-safe: member state is per {@link Member}; the round-robin weights are guarded by this object's
 * monitor, held only while choosing (no I/O); the live member list is an immutable list replaced as a whole.
 */
public final class Pool implements UpstreamPool {

    private static final Logger LOG = LoggerFactory.getLogger(Pool.class);

    final ProxyRoute route;
    final PoolSpec spec;
    final Dns dns;
    /** Per configured upstream, in order: a {@link Member}, or an {@link Expansion} of its host name. */
    private final List<Object> slots;
    private final List<Expansion> expansions;
    /** The members that may be offered connections now, in configuration order; replaced when a name changes. */
    private volatile List<Member> live;
    private final Supplier<ScheduledExecutorService> scheduler;

    Pool(ProxyRoute route, PoolSpec spec, Executor dnsExecutor, Supplier<ScheduledExecutorService> scheduler) {
        this.route = route;
        this.spec = spec;
        this.dns = new Dns(spec.settings().resolver(), spec.settings().dnsTtl(), dnsExecutor);
        List<Object> list = new ArrayList<>();
        List<Expansion> expanded = new ArrayList<>();
        for (int i = 0; i < spec.members().size(); i++) {
            Upstream config = spec.members().get(i);
            if (config.expandsAddresses()) {
                Expansion expansion = new Expansion(route.path(), config, spec.uris().get(i), dns, this::rebuild);
                expanded.add(expansion);
                list.add(expansion);
            } else {
                list.add(new Member(route.path(), config, spec.uris().get(i)));
            }
        }
        this.slots = List.copyOf(list);
        this.expansions = List.copyOf(expanded);
        this.scheduler = scheduler;
        rebuild();
        refresh(); // resolve expanded names now, so the first handshake rarely waits and members() shows them
    }

    private synchronized void rebuild() {
        List<Member> list = new ArrayList<>();
        for (Object slot : slots) {
            if (slot instanceof Member) {
                list.add((Member) slot);
            } else {
                list.addAll(((Expansion) slot).current());
            }
        }
        live = List.copyOf(list);
    }

    /** The members that may be offered connections now. */
    List<Member> live() {
        return live;
    }

    /** Completes (never exceptionally) when every expanded name's addresses are no older than the DNS TTL. */
    CompletableFuture<Void> refresh() {
        if (expansions.isEmpty()) {
            return DONE;
        }
        if (expansions.size() == 1) {
            return expansions.get(0).refresh();
        }
        return CompletableFuture.allOf(expansions.stream().map(Expansion::refresh).toArray(CompletableFuture[]::new));
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /**
     * Why no member exists at all (every upstream is an expanded name without addresses): the failure to
     * report, else {@code null}. {@code timedOut}: the lookup outlived the handshake's deadline.
     */
    UpstreamFailure unresolved(Duration waited) {
        if (!live.isEmpty()) {
            return null;
        }
        for (Expansion e : expansions) {
            if (e.failure() != null) {
                return e.failure();
            }
        }
        return new UpstreamFailure(504, "upstream host of " + expansions.get(0).config.uri() + " was not resolved"
                + " within " + dev.wsproxy.internal.Durations.format(waited) + " (check the resolver, or raise the"
                + " route's connectTimeout)", null);
    }

    /** Why {@link #pick} found no member: every untried one is draining or full. */
    String noMemberReason() {
        boolean allDraining = live.stream().allMatch(m -> m.draining);
        return allDraining ? "every upstream of route " + route.path() + " is draining (undrain one, or wait for the"
                + " deploy to finish)" : "every upstream of route " + route.path() + " is at its connection limit"
                + " (raise the members' maxConnections or add members)";
    }

    /**
     * The member for the next attempt, with a connection slot taken, or {@code null}.
     *
     * @param tried members already attempted for this handshake
     * @param key the hash key, or {@code null}
     * @param within only these members (an authorizer's choice of an expanded upstream), or {@code null}: all
     */
    Member pick(Set<Member> tried, String key, Collection<Member> within) {
        while (true) {
            List<Member> candidates = candidates(tried, within);
            if (candidates.isEmpty()) {
                return null;
            }
            Member chosen = choose(candidates, key);
            if (chosen.tryAcquire()) {
                return chosen;
            }
            tried = new java.util.HashSet<>(tried);
            tried.add(chosen); // filled up meanwhile: choose again without it (it is not counted as tried)
        }
    }

    private List<Member> candidates(Set<Member> tried, Collection<Member> within) {
        List<Member> open = new ArrayList<>();
        for (Member m : live) {
            if (!tried.contains(m) && !m.draining && !m.gone && !m.full() && (within == null || within.contains(m))) {
                open.add(m);
            }
        }
        List<Member> primaries = new ArrayList<>();
        List<Member> backups = new ArrayList<>();
        for (Member m : open) {
            if (!m.down() && !m.ejected()) {
                (m.config.isBackup() ? backups : primaries).add(m);
            }
        }
        return !primaries.isEmpty() ? primaries : !backups.isEmpty() ? backups : open; // open: panic mode
    }

    private Member choose(List<Member> candidates, String key) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        Balance balance = spec.balance();
        if (balance.isHash() && key != null) {
            return candidates.stream().max(Comparator.comparingDouble(m -> Rendezvous.score(key, m.name(),
                    m.config.weight()))).orElseThrow();
        }
        switch (balance.kind()) {
            case ROUND_ROBIN:
                return roundRobin(candidates);
            case POWER_OF_TWO_CHOICES:
                ThreadLocalRandom random = ThreadLocalRandom.current();
                int a = random.nextInt(candidates.size());
                int b = (a + 1 + random.nextInt(candidates.size() - 1)) % candidates.size();
                return load(candidates.get(a), candidates.get(b)) <= 0 ? candidates.get(a) : candidates.get(b);
            default:
                // least connections per weight; ties in round-robin order so equal members share evenly
                Member least = candidates.get(0);
                for (Member m : candidates) {
                    if (load(m, least) < 0) {
                        least = m;
                    }
                }
                List<Member> tied = new ArrayList<>();
                for (Member m : candidates) {
                    if (load(m, least) == 0) {
                        tied.add(m);
                    }
                }
                return roundRobin(tied);
        }
    }

    /** Compares connections per weight without division. */
    private static int load(Member a, Member b) {
        return Long.compare((long) a.active.get() * b.config.weight(), (long) b.active.get() * a.config.weight());
    }

    /** nginx's smooth weighted round robin over the candidates. */
    private synchronized Member roundRobin(List<Member> candidates) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        long total = 0;
        Member best = null;
        for (Member m : candidates) {
            m.currentWeight += m.config.weight();
            total += m.config.weight();
            if (best == null || m.currentWeight > best.currentWeight) {
                best = m;
            }
        }
        best.currentWeight -= total;
        return best;
    }

    /** Whether a failure may eject: never the only member (nginx ignores max_fails for a single server). */
    boolean mayEject() {
        return live.size() > 1;
    }

    @Override
    public ProxyRoute route() {
        return route;
    }

    @Override
    public List<UpstreamMember> members() {
        return listed().stream().map(Member::snapshot).toList();
    }

    /** The live members, then expanded members whose address is gone but which still serve connections. */
    private List<Member> listed() {
        List<Member> list = new ArrayList<>(live);
        for (Expansion e : expansions) {
            list.addAll(e.leaving());
        }
        return list;
    }

    @Override
    public UpstreamMember member(String uri) {
        for (Member m : listed()) {
            if (m.name().equals(uri)) {
                return m.snapshot();
            }
        }
        Expansion expansion = expansion(uri);
        if (expansion != null) {
            throw new IllegalArgumentException("upstream '" + uri + "' of route " + route.path() + " expands into one"
                    + " member per address (ask for one of " + expansion.current().stream().map(Member::name).toList()
                    + ")");
        }
        throw unknown(uri);
    }

    private Expansion expansion(String uri) {
        for (Expansion e : expansions) {
            if (e.config.uri().equals(uri)) {
                return e;
            }
        }
        return null;
    }

    @Override
    public String memberFor(String key) {
        if (!spec.balance().isHash()) {
            throw new IllegalStateException("route " + route.path() + " balances by " + spec.balance()
                    + ", not by a hash key (memberFor answers only for hash:... balances)");
        }
        refresh().copy().completeOnTimeout(null, route.connectTimeout().toMillis(), TimeUnit.MILLISECONDS).join();
        List<Member> candidates = candidates(Set.of(), null);
        return candidates.isEmpty() ? null : choose(candidates, key).name();
    }

    @Override
    public void drain(String uri) {
        List<Member> drained = find(uri, true);
        int open = 0;
        for (Member m : drained) {
            m.draining = true;
            open += m.active.get();
        }
        LOG.info("[pool {}] upstream {} draining: no new connections, {} open kept", route.path(), uri, open);
    }

    @Override
    public void drain(String uri, Duration closeAfter) {
        drain(uri);
        scheduler.get().schedule(() -> {
            List<Member> drained = find(uri, false).stream().filter(m -> m.draining).toList();
            int open = drained.stream().mapToInt(m -> m.connections.size()).sum();
            if (!drained.isEmpty()) {
                LOG.info("[pool {}] upstream {} drain deadline: closing its {} open connection(s) with 1001",
                        route.path(), uri, open);
                drained.forEach(m -> m.connections.forEach(ProxiedConnection::shutdown));
            }
        }, closeAfter.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void undrain(String uri) {
        find(uri, false).forEach(m -> m.draining = false);
        Expansion expansion = expansion(uri);
        if (expansion != null) {
            expansion.drain(false);
        }
        LOG.info("[pool {}] upstream {} takes new connections again", route.path(), uri);
    }

    /**
     * The member named {@code uri}, or every member of the expanded upstream whose URI it is.
     *
     * @param drain also mark the expanded upstream draining, so addresses that appear later are too
     */
    private List<Member> find(String uri, boolean drain) {
        Expansion expansion = expansion(uri);
        if (expansion != null) {
            if (drain) {
                expansion.drain(true);
            }
            return expansion.all();
        }
        for (Member m : listed()) {
            if (m.name().equals(uri)) {
                return List.of(m);
            }
        }
        throw unknown(uri);
    }

    private IllegalArgumentException unknown(String uri) {
        return new IllegalArgumentException("route " + route.path() + " has no upstream '" + uri + "' (its members: "
                + listed().stream().map(Member::name).toList() + ")");
    }

    @Override
    public String toString() {
        return "UpstreamPool[" + route.path() + " " + spec.balance() + " " + members() + "]";
    }
}
