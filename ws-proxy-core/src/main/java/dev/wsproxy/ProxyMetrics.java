package dev.wsproxy;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The proxy's metrics, for bridges to monitoring systems ({@code ws-proxy-micrometer}'s {@code MeterBinder}
 * reads them; the JMX MBeans are built from them too): one {@link Meter} per name and tag set, tagged with the
 * {@code route} and the {@code upstream} member ({@code host:port}). Obtained from {@link WebSocketProxy#metrics()};
 * empty when the proxy was built with {@code metrics(false)}.
 *
 * <p>Meters appear as traffic needs them (a route/upstream pair on its first handshake, a status or close code
 * the first time it is seen) and stay for the proxy's life. Values are read live: counters of open connections
 * are included, so they are monotonic.
 *
 * <p>Thread-safe; reading a meter takes no lock on the relaying threads.
 */
public interface ProxyMetrics {

    /** How a meter's value is to be read. */
    enum Type {
        /** A monotonic count: {@link Meter#value()}. */
        COUNTER,
        /** A current value: {@link Meter#value()}. */
        GAUGE,
        /** Durations: {@link Meter#count()}, {@link Meter#totalSeconds()}, {@link Meter#maxSeconds()}. */
        TIMER
    }

    /** One time series. */
    interface Meter {
        /** E.g. {@code wsproxy.connections.active}. */
        String name();

        String description();

        /** {@code connections}, {@code messages}, {@code bytes}, {@code frames}, {@code handshakes}, ... or "". */
        String baseUnit();

        Type type();

        /** Always {@code route} and {@code upstream}; some meters add {@code direction}, {@code status}, ... */
        Map<String, String> tags();

        /** Counters and gauges: the value now. */
        double value();

        /** Timers: how many durations were recorded. */
        long count();

        /** Timers: their sum. */
        double totalSeconds();

        /** Timers: the longest. */
        double maxSeconds();
    }

    /** The meters that exist now. */
    List<Meter> meters();

    /**
     * Calls {@code action} for every meter that exists now and, later, for each new one as it appears (on the
     * thread that created it). For bridges that register meters with another system.
     */
    void forEachMeter(Consumer<Meter> action);
}
