package dev.wsproxy.internal.pool;

import dev.wsproxy.Balance;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.UpstreamMember;
import dev.wsproxy.UpstreamPool;
import dev.wsproxy.internal.ProxiedConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
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
 * none is healthy: panic mode), and keeps each member's live state.
 *
 * <p>Thread-safe: member state is per {@link Member}; the round-robin weights are guarded by this object's
 * monitor, held only while choosing (no I/O).
 */
public final class Pool implements UpstreamPool {

    private static final Logger LOG = LoggerFactory.getLogger(Pool.class);

    final ProxyRoute route;
    final PoolSpec spec;
    final List<Member> members;
    final Dns dns;
    private final Supplier<ScheduledExecutorService> scheduler;

    Pool(ProxyRoute route, PoolSpec spec, Executor dnsExecutor, Supplier<ScheduledExecutorService> scheduler) {
        this.route = route;
        this.spec = spec;
        List<Member> list = new ArrayList<>();
        for (int i = 0; i < spec.members().size(); i++) {
            list.add(new Member(route.path(), spec.members().get(i), spec.uris().get(i)));
        }
        this.members = List.copyOf(list);
        this.dns = new Dns(spec.settings().resolver(), spec.settings().dnsTtl(), dnsExecutor);
        this.scheduler = scheduler;
    }

    /** Why {@link #pick} found no member: every untried one is draining or full. */
    String noMemberReason() {
        boolean allDraining = members.stream().allMatch(m -> m.draining);
        return allDraining ? "every upstream of route " + route.path() + " is draining (undrain one, or wait for the"
                + " deploy to finish)" : "every upstream of route " + route.path() + " is at its connection limit"
                + " (raise the members' maxConnections or add members)";
    }

    /**
     * The member for the next attempt, with a connection slot taken, or {@code null}.
     *
     * @param tried members already attempted for this handshake
     * @param key the hash key, or {@code null}
     */
    Member pick(Set<Member> tried, String key) {
        while (true) {
            List<Member> candidates = candidates(tried);
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

    private List<Member> candidates(Set<Member> tried) {
        List<Member> open = new ArrayList<>();
        for (Member m : members) {
            if (!tried.contains(m) && !m.draining && !m.full()) {
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
        return members.size() > 1;
    }

    @Override
    public ProxyRoute route() {
        return route;
    }

    @Override
    public List<UpstreamMember> members() {
        return members.stream().map(Member::snapshot).toList();
    }

    @Override
    public UpstreamMember member(String uri) {
        return find(uri).snapshot();
    }

    @Override
    public String memberFor(String key) {
        if (!spec.balance().isHash()) {
            throw new IllegalStateException("route " + route.path() + " balances by " + spec.balance()
                    + ", not by a hash key (memberFor answers only for hash:... balances)");
        }
        List<Member> candidates = candidates(Set.of());
        return candidates.isEmpty() ? null : choose(candidates, key).name();
    }

    @Override
    public void drain(String uri) {
        Member m = find(uri);
        m.draining = true;
        LOG.info("[pool {}] upstream {} draining: no new connections, {} open kept", route.path(), m.name(),
                m.active.get());
    }

    @Override
    public void drain(String uri, Duration closeAfter) {
        drain(uri);
        Member m = find(uri);
        scheduler.get().schedule(() -> {
            if (m.draining) {
                LOG.info("[pool {}] upstream {} drain deadline: closing its {} open connection(s) with 1001",
                        route.path(), m.name(), m.connections.size());
                m.connections.forEach(ProxiedConnection::shutdown);
            }
        }, closeAfter.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void undrain(String uri) {
        find(uri).draining = false;
        LOG.info("[pool {}] upstream {} takes new connections again", route.path(), uri);
    }

    private Member find(String uri) {
        for (Member m : members) {
            if (m.name().equals(uri)) {
                return m;
            }
        }
        throw new IllegalArgumentException("route " + route.path() + " has no upstream '" + uri + "' (its members: "
                + members.stream().map(Member::name).toList() + ")");
    }

    @Override
    public String toString() {
        return "UpstreamPool[" + route.path() + " " + spec.balance() + " " + members() + "]";
    }
}
