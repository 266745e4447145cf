package dev.wsproxy.internal.pool;

import dev.wsproxy.UpstreamResolver;
import dev.wsproxy.internal.UpstreamFailure;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A pool's name cache: each host name is resolved with the pool's {@link UpstreamResolver} when its answer is
 * older than the TTL, on the given executor (a resolver may block; a cache hit never does). Connects rotate
 * over a name's addresses. The returned addresses keep the host name ({@link InetAddress#getByAddress(String,
 * byte[])}), so TLS sends it as SNI and verifies the certificate against it, while the socket connects to the
 * resolved address. Thread-safe.
 */
final class Dns {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final UpstreamResolver resolver;
    private final long ttlNanos;
    private final Executor executor;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    private record Entry(List<InetAddress> addresses, long resolvedAt, AtomicInteger next) {
    }

    Dns(UpstreamResolver resolver, Duration ttl, Executor executor) {
        this.resolver = resolver;
        this.ttlNanos = ttl.toNanos();
        this.executor = executor;
    }

    /** The address to connect to for {@code member}; fails with a 502 {@link UpstreamFailure} for an unknown name. */
    CompletableFuture<InetSocketAddress> resolve(Member member) {
        if (member.address != null) {
            return CompletableFuture.completedFuture(new InetSocketAddress(member.address, member.port));
        }
        if (isLiteral(member.host)) {
            return CompletableFuture.completedFuture(new InetSocketAddress(member.host, member.port));
        }
        Entry entry = cache.get(member.host);
        if (entry != null && System.nanoTime() - entry.resolvedAt < ttlNanos) {
            return CompletableFuture.completedFuture(pick(member, entry));
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                List<InetAddress> found = resolver.resolve(member.host);
                if (found == null || found.isEmpty()) {
                    throw new UnknownHostException(member.host + " has no addresses");
                }
                Entry fresh = new Entry(List.copyOf(found), System.nanoTime(), new AtomicInteger());
                cache.put(member.host, fresh);
                return pick(member, fresh);
            } catch (UnknownHostException | RuntimeException e) {
                throw new CompletionException(new UpstreamFailure(502, "upstream host of " + member.base
                        + " could not be resolved: " + e.getMessage(), e));
            }
        }, executor);
    }

    /** The TTL of an answer, in nanoseconds. */
    long ttlNanos() {
        return ttlNanos;
    }

    /** Every address of {@code host}, resolved now (uncached) on the executor; fails with the resolver's exception. */
    CompletableFuture<List<InetAddress>> resolveAll(String host) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                List<InetAddress> found = resolver.resolve(host);
                if (found == null || found.isEmpty()) {
                    throw new UnknownHostException(host + " has no addresses");
                }
                return List.copyOf(found);
            } catch (UnknownHostException e) {
                throw new CompletionException(e);
            }
        }, executor);
    }

    static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
    }

    private static InetSocketAddress pick(Member member, Entry entry) {
        InetAddress address = entry.addresses.get(Math.floorMod(entry.next.getAndIncrement(), entry.addresses.size()));
        try {
            return new InetSocketAddress(InetAddress.getByAddress(member.host, address.getAddress()), member.port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address from the resolver has an invalid length", e);
        }
    }
}
