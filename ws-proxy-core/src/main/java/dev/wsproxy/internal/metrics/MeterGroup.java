package dev.wsproxy.internal.metrics;

import dev.wsproxy.ProxyConnection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The metrics of one route and upstream member pair. Counters of open connections are not touched on the relay
 * path: they are summed at read time over the open connections, and folded into this group's totals, under its
 * monitor, when a connection ends, so every counter read is exact and monotonic.
 *
 * <p>Thread-safe: adders and concurrent maps for events; {@code this} guards the folded totals.
 */
final class MeterGroup {

    final String route;
    final String upstream;
    final Map<String, String> tags;
    private final Consumer<SimpleMeter> announce;

    final LongAdder opened = new LongAdder();
    final LongAdder closed = new LongAdder();
    final Histogram connectTime = new Histogram();
    final Histogram lifetime = new Histogram();
    final Histogram clientPingRtt = new Histogram();
    final Histogram upstreamPingRtt = new Histogram();
    private final Set<ProxyConnection> live = ConcurrentHashMap.newKeySet();
    private final Map<String, LongAdder> handshakes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();

    // folded totals of ended connections, guarded by this
    private long c2uMessages;
    private long c2uBytes;
    private long c2uFrames;
    private long u2cMessages;
    private long u2cBytes;
    private long u2cFrames;
    private long c2uLargest;
    private long u2cLargest;

    MeterGroup(String route, String upstream, Consumer<SimpleMeter> announce) {
        this.route = route;
        this.upstream = upstream;
        this.tags = Map.of("route", route, "upstream", upstream);
        this.announce = announce;
    }

    /** Announces the meters every group has. */
    void announceFixed() {
        announce.accept(SimpleMeter.gauge("wsproxy.connections.active", "Relayed connections open now",
                "connections", tags, live::size));
        announce.accept(SimpleMeter.counter("wsproxy.connections.opened", "Connections opened (client upgraded)",
                "connections", tags, opened::sum));
        announce.accept(SimpleMeter.counter("wsproxy.connections.closed", "Connections ended (closed or failed)",
                "connections", tags, closed::sum));
        announce.accept(SimpleMeter.timer("wsproxy.upstream.connect", "Time from the client's handshake to the"
                + " upstream's 101", tags, connectTime));
        announce.accept(SimpleMeter.timer("wsproxy.connection.duration", "Lifetime of ended connections", tags,
                lifetime));
        announce.accept(SimpleMeter.timer("wsproxy.ping.rtt", "Round trip of the proxy's keepalive pings",
                with("side", "client"), clientPingRtt));
        announce.accept(SimpleMeter.timer("wsproxy.ping.rtt", "Round trip of the proxy's keepalive pings",
                with("side", "upstream"), upstreamPingRtt));
        for (boolean c2u : new boolean[] {true, false}) {
            Map<String, String> dir = with("direction", c2u ? "client_to_upstream" : "upstream_to_client");
            announce.accept(SimpleMeter.counter("wsproxy.messages", "Whole messages relayed", "messages", dir,
                    () -> read(c2u, 0)));
            announce.accept(SimpleMeter.counter("wsproxy.bytes", "Payload bytes relayed", "bytes", dir,
                    () -> read(c2u, 1)));
            announce.accept(SimpleMeter.counter("wsproxy.frames", "Data frames relayed (message mode: parts)",
                    "frames", dir, () -> read(c2u, 2)));
            announce.accept(SimpleMeter.gauge("wsproxy.message.largest", "Largest whole message relayed", "bytes",
                    dir, () -> read(c2u, 3)));
        }
    }

    private Map<String, String> with(String... more) {
        Map<String, String> t = new LinkedHashMap<>(tags);
        for (int i = 0; i < more.length; i += 2) {
            t.put(more[i], more[i + 1]);
        }
        return t;
    }

    void handshake(int status, String outcome) {
        String key = status + " " + outcome;
        LongAdder adder = handshakes.get(key);
        if (adder == null) {
            LongAdder created = new LongAdder();
            adder = handshakes.putIfAbsent(key, created);
            if (adder == null) {
                adder = created;
                announce.accept(SimpleMeter.counter("wsproxy.handshakes", "Handshakes by outcome and HTTP status",
                        "handshakes", with("status", Integer.toString(status), "outcome", outcome), created::sum));
            }
        }
        adder.increment();
    }

    void open(ProxyConnection connection) {
        opened.increment();
        live.add(connection);
    }

    void close(ProxyConnection connection, ConnectionStats stats, long lifetimeNanos) {
        synchronized (this) {
            if (!live.remove(connection)) {
                return;
            }
            c2uMessages += connection.clientToUpstreamMessages();
            c2uBytes += connection.clientToUpstreamBytes();
            c2uFrames += stats.frames(true);
            u2cMessages += connection.upstreamToClientMessages();
            u2cBytes += connection.upstreamToClientBytes();
            u2cFrames += stats.frames(false);
            c2uLargest = Math.max(c2uLargest, stats.largestMessage(true));
            u2cLargest = Math.max(u2cLargest, stats.largestMessage(false));
        }
        closed.increment();
        lifetime.record(lifetimeNanos);
        EndCause cause = stats.endCause();
        // the client's code when the client or the proxy ended it (what the proxy told the client), else the upstream's
        int code = stats.closeCode(cause == null || !"upstream".equals(cause.endedBy()));
        String key = (cause == null ? "proxy" : cause.endedBy()) + " " + code + " "
                + (cause == null ? "close" : cause.reasonClass());
        LongAdder adder = closes.get(key);
        if (adder == null) {
            LongAdder created = new LongAdder();
            adder = closes.putIfAbsent(key, created);
            if (adder == null) {
                adder = created;
                String[] parts = key.split(" ");
                announce.accept(SimpleMeter.counter("wsproxy.closes", "Ended connections by who ended them, the"
                        + " close code and the reason class", "connections",
                        with("ended_by", parts[0], "code", parts[1], "cause", parts[2]), created::sum));
            }
        }
        adder.increment();
    }

    /** 0 messages, 1 bytes, 2 frames, 3 largest message; ended connections plus open ones. */
    synchronized double read(boolean c2u, int what) {
        long total = switch (what) {
            case 0 -> c2u ? c2uMessages : u2cMessages;
            case 1 -> c2u ? c2uBytes : u2cBytes;
            case 2 -> c2u ? c2uFrames : u2cFrames;
            default -> c2u ? c2uLargest : u2cLargest;
        };
        for (ProxyConnection c : live) {
            ConnectionStats s = ((ConnectionStats.Source) c).stats();
            long v = switch (what) {
                case 0 -> c2u ? c.clientToUpstreamMessages() : c.upstreamToClientMessages();
                case 1 -> c2u ? c.clientToUpstreamBytes() : c.upstreamToClientBytes();
                case 2 -> s.frames(c2u);
                default -> s.largestMessage(c2u);
            };
            total = what == 3 ? Math.max(total, v) : total + v;
        }
        return total;
    }

    int active() {
        return live.size();
    }
}
