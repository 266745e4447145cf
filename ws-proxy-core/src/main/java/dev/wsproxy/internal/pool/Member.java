package dev.wsproxy.internal.pool;

import dev.wsproxy.Upstream;
import dev.wsproxy.UpstreamMember;
import dev.wsproxy.internal.Durations;
import dev.wsproxy.internal.ProxiedConnection;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pool member's live state. Threading: counters are atomics; passive-health fields are guarded by this
 * object's monitor; active-health fields by the same monitor; {@link #currentWeight} by the pool's lock.
 * Ejection and readmission are logged once each, outside no lock that I/O needs.
 */
final class Member {

    private static final Logger LOG = LoggerFactory.getLogger(Member.class);
    /** An ejection lasts at most failTimeout times this. */
    private static final int MAX_BACKOFF = 32;

    final Upstream config;
    final URI uri;
    final String base;
    final String host;
    final int port;
    final boolean secure;
    /** For a member expanded from a host name ({@link Upstream#expandsAddresses()}): its one address, else null. */
    final InetAddress address;
    private final String name;
    private final String pool;

    final AtomicInteger active = new AtomicInteger();
    final AtomicLong failures = new AtomicLong();
    final AtomicLong successes = new AtomicLong();
    final AtomicLong ejections = new AtomicLong();
    final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();
    volatile boolean draining;
    /** An expanded member whose address the name no longer resolves to: no new connections, open ones kept. */
    volatile boolean gone;
    /** Smooth weighted round robin's running weight; guarded by the pool's lock. */
    long currentWeight;

    private long windowStart;
    private int windowFailures;
    private boolean ejected;
    private long ejectedUntil;
    private int ejectionStreak;
    private boolean down;
    private int checkStreak;

    Member(String pool, Upstream config, URI uri) {
        this(pool, config, uri, null);
    }

    /** @param address the one address of a member expanded from a host name, or null */
    Member(String pool, Upstream config, URI uri, InetAddress address) {
        this.pool = pool;
        this.address = address;
        this.name = address == null ? config.uri() : nameOf(config, address);
        this.config = config;
        this.uri = uri;
        this.base = PoolSpec.base(uri);
        this.host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        this.secure = uri.getScheme().toLowerCase(Locale.ROOT).equals("wss");
        this.port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
    }

    /** The configured URI; for an expanded member the URI and its address: {@code ws://chat:8080/ (10.0.0.7)}. */
    String name() {
        return name;
    }

    static String nameOf(Upstream config, InetAddress address) {
        return config.uri() + " (" + address.getHostAddress() + ")";
    }

    /** Takes a connection slot unless the member is full. */
    boolean tryAcquire() {
        int limit = config.maxConnections();
        while (true) {
            int now = active.get();
            if (limit > 0 && now >= limit) {
                return false;
            }
            if (active.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    boolean full() {
        return config.maxConnections() > 0 && active.get() >= config.maxConnections();
    }

    void releaseSlot() {
        active.decrementAndGet();
    }

    /** Whether passive health has this member out now; ends an ejection whose time is up (logged). */
    boolean ejected() {
        boolean readmitted;
        long ejectedFor;
        synchronized (this) {
            if (!ejected || System.nanoTime() - ejectedUntil < 0) {
                return ejected;
            }
            ejected = false;
            windowFailures = 0;
            readmitted = true;
            ejectedFor = ejectionStreak;
        }
        if (readmitted) {
            LOG.info("[pool {}] upstream {} readmitted after its ejection (ejection #{} in a row; a success resets"
                    + " the back-off)", pool, name(), ejectedFor);
        }
        return false;
    }

    synchronized boolean down() {
        return down;
    }

    /** A successful upstream handshake: resets the failure window and the ejection back-off. */
    void succeeded() {
        successes.incrementAndGet();
        synchronized (this) {
            windowFailures = 0;
            ejectionStreak = 0;
        }
    }

    /**
     * A failed connect attempt; ejects the member after {@code maxFails} within {@code failTimeout}.
     *
     * @param mayEject false for a pool of one (never ejected, as nginx) or with passive health off
     */
    void failed(String id, int maxFails, Duration failTimeout, boolean mayEject, String reason) {
        failures.incrementAndGet();
        if (!mayEject || maxFails == 0) {
            return;
        }
        long now = System.nanoTime();
        long ejectFor;
        int failed;
        synchronized (this) {
            if (ejected) {
                return;
            }
            if (windowFailures == 0 || now - windowStart > failTimeout.toNanos()) {
                windowStart = now;
                windowFailures = 0;
            }
            failed = ++windowFailures;
            if (failed < maxFails) {
                return;
            }
            ejectFor = failTimeout.toNanos() * Math.min(MAX_BACKOFF, 1L << Math.min(ejectionStreak, 5));
            ejectionStreak++;
            ejected = true;
            ejectedUntil = now + ejectFor;
            windowFailures = 0;
        }
        ejections.incrementAndGet();
        LOG.warn("[{}] pool {}: upstream {} ejected for {} after {} failure(s) within {} (last: {})", id, pool,
                name(), Durations.format(Duration.ofNanos(ejectFor)), failed, Durations.format(failTimeout), reason);
    }

    /** One active check's outcome; flips the member down after {@code fall} failures, up after {@code rise} passes. */
    void checked(boolean healthy, int rise, int fall, String problem) {
        boolean changed;
        synchronized (this) {
            checkStreak = healthy ? Math.max(0, checkStreak) + 1 : Math.min(0, checkStreak) - 1;
            changed = down ? checkStreak >= rise : -checkStreak >= fall;
            if (changed) {
                down = !down;
            }
        }
        if (changed && !healthy) {
            LOG.warn("[pool {}] upstream {} marked down by its health check after {} failure(s) in a row: {}", pool,
                    name(), fall, problem);
        } else if (changed) {
            LOG.info("[pool {}] upstream {} marked up by its health check after {} success(es) in a row", pool,
                    name(), rise);
            synchronized (this) {
                ejected = false;
                ejectionStreak = 0;
            }
        }
    }

    UpstreamMember snapshot() {
        UpstreamMember.State state = draining || gone ? UpstreamMember.State.DRAINING : down() ? UpstreamMember.State.DOWN
                : ejected() ? UpstreamMember.State.EJECTED : UpstreamMember.State.HEALTHY;
        return new Snapshot(name(), config.weight(), config.isBackup(), state, active.get(), failures.get(),
                successes.get(), ejections.get());
    }

    private record Snapshot(String uri, int weight, boolean isBackup, State state, int activeConnections,
                            long failures, long successes, long ejections) implements UpstreamMember {
        @Override
        public String toString() {
            return uri + " " + state + " active=" + activeConnections + " failures=" + failures;
        }
    }
}
