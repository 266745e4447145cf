package dev.wsproxy.internal.metrics;

import dev.wsproxy.ProxyConnection;
import dev.wsproxy.ProxyMetrics;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One proxy's metrics: a {@link MeterGroup} per route and upstream member pair, fed by the handshake outcome and
 * the connection's open and end events, and the list of meters bridges read.
 *
 * <p>Thread-safe. New meters are announced to the {@link #forEachMeter} subscribers under this object's monitor,
 * so a subscriber sees each meter once and in order.
 */
public final class MetricsRegistry implements ProxyMetrics {

    private final Map<String, MeterGroup> groups = new ConcurrentHashMap<>();
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final List<Consumer<Meter>> subscribers = new CopyOnWriteArrayList<>();

    /**
     * The metrics name of an upstream: its {@code host:port}. The one place that decides it, so it can become the
     * pool member's name.
     */
    public static String upstreamKey(URI upstream) {
        if (upstream == null || upstream.getHost() == null) {
            return "unknown";
        }
        int port = upstream.getPort() >= 0 ? upstream.getPort() : "wss".equalsIgnoreCase(upstream.getScheme())
                ? 443 : 80;
        return upstream.getHost() + ":" + port;
    }

    /** The group of a route (its path or pattern) and an upstream member, created on first use. */
    MeterGroup group(String route, String upstream) {
        String key = route + "\u0000" + upstream;
        MeterGroup group = groups.get(key);
        if (group != null) {
            return group;
        }
        synchronized (this) {
            group = groups.get(key);
            if (group == null) {
                group = new MeterGroup(route, upstream, this::announce);
                groups.put(key, group);
                group.announceFixed();
            }
            return group;
        }
    }

    private synchronized void announce(SimpleMeter meter) {
        meters.add(meter);
        for (Consumer<Meter> subscriber : subscribers) {
            subscriber.accept(meter);
        }
    }

    /**
     * A handshake on a route ended: {@code outcome} is {@code upgraded}, {@code refused} (by the proxy) or
     * {@code upstream} (the upstream failed or refused). For an upgrade, the connection's stats join the group.
     */
    public void handshake(String route, String upstream, int status, String outcome, long startNanos,
                          ConnectionStats connection, String clientAddress, String mode) {
        MeterGroup group = group(route, upstream);
        group.handshake(status, outcome);
        if (connection != null) {
            group.connectTime.record(System.nanoTime() - startNanos);
            connection.attach(group, clientAddress, mode, upstream);
        }
    }

    /** The client was upgraded. */
    public void opened(ProxyConnection connection) {
        ConnectionStats stats = ((ConnectionStats.Source) connection).stats();
        stats.opened(System.nanoTime());
        MeterGroup group = stats.group();
        if (group != null) {
            group.open(connection);
        }
    }

    /** The connection's terminal event: folds its counters into its group. */
    public void ended(ProxyConnection connection) {
        ConnectionStats stats = ((ConnectionStats.Source) connection).stats();
        MeterGroup group = stats.group();
        if (group != null) {
            group.close(connection, stats, System.nanoTime() - stats.openNanos());
        }
    }

    /** The groups, for the JMX view. */
    List<MeterGroup> groups() {
        return new ArrayList<>(groups.values());
    }

    @Override
    public List<Meter> meters() {
        return List.copyOf(meters);
    }

    @Override
    public synchronized void forEachMeter(Consumer<Meter> action) {
        meters.forEach(action);
        subscribers.add(action);
    }
}
