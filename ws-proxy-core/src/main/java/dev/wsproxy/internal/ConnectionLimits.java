package dev.wsproxy.internal;

import dev.wsproxy.ProxyRoute;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts concurrent connections in total, per route and per client address, and refuses the one over a
 * limit. Thread-safe: counters are atomic; a refused acquisition leaves every count as it was.
 */
public final class ConnectionLimits {

    private final int maxTotal;
    private final int maxPerClient;
    private final AtomicInteger total = new AtomicInteger();
    private final Map<ProxyRoute, AtomicInteger> perRoute = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perClient = new ConcurrentHashMap<>();

    /** Limits of 0 mean unlimited. */
    public ConnectionLimits(int maxTotal, int maxPerClient) {
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
    }

    /**
     * Takes one connection slot.
     *
     * @return {@code null} when granted, else the reason for refusing (the caller answers 503)
     */
    public String acquire(ProxyRoute route, String clientAddress) {
        if (!increment(total, maxTotal)) {
            return "the proxy is at its limit of " + maxTotal + " connections (maxConnections)";
        }
        if (!increment(perRoute.computeIfAbsent(route, r -> new AtomicInteger()), route.maxConnections())) {
            total.decrementAndGet();
            return "route " + route.path() + " is at its limit of " + route.maxConnections() + " connections";
        }
        AtomicInteger client = perClient.compute(clientAddress, (k, v) -> {
            AtomicInteger counter = v == null ? new AtomicInteger() : v;
            counter.incrementAndGet();
            return counter;
        });
        if (maxPerClient > 0 && client.get() > maxPerClient) {
            releaseClient(clientAddress);
            perRoute.get(route).decrementAndGet();
            total.decrementAndGet();
            return "client " + clientAddress + " is at its limit of " + maxPerClient
                    + " connections (maxConnectionsPerClient)";
        }
        return null;
    }

    /** Returns the slot taken by a granted {@link #acquire}. */
    public void release(ProxyRoute route, String clientAddress) {
        releaseClient(clientAddress);
        AtomicInteger r = perRoute.get(route);
        if (r != null) {
            r.decrementAndGet();
        }
        total.decrementAndGet();
    }

    private void releaseClient(String clientAddress) {
        // remove the entry at zero so per-address state does not grow with every address ever seen
        perClient.computeIfPresent(clientAddress, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
    }

    private static boolean increment(AtomicInteger counter, int max) {
        if (max <= 0) {
            counter.incrementAndGet();
            return true;
        }
        while (true) {
            int current = counter.get();
            if (current >= max) {
                return false;
            }
            if (counter.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }
}
