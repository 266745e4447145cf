package dev.wsproxy.internal.metrics;

import dev.wsproxy.ProxyMetrics;
import java.util.Map;
import java.util.function.DoubleSupplier;

/** A {@link ProxyMetrics.Meter} reading a supplier (counters, gauges) or a {@link Histogram} (timers). */
final class SimpleMeter implements ProxyMetrics.Meter {

    private final String name;
    private final String description;
    private final String baseUnit;
    private final ProxyMetrics.Type type;
    private final Map<String, String> tags;
    private final DoubleSupplier value;
    private final Histogram histogram;

    private SimpleMeter(String name, String description, String baseUnit, ProxyMetrics.Type type,
                        Map<String, String> tags, DoubleSupplier value, Histogram histogram) {
        this.name = name;
        this.description = description;
        this.baseUnit = baseUnit;
        this.type = type;
        this.tags = Map.copyOf(tags);
        this.value = value;
        this.histogram = histogram;
    }

    static SimpleMeter counter(String name, String description, String unit, Map<String, String> tags,
                               DoubleSupplier value) {
        return new SimpleMeter(name, description, unit, ProxyMetrics.Type.COUNTER, tags, value, null);
    }

    static SimpleMeter gauge(String name, String description, String unit, Map<String, String> tags,
                             DoubleSupplier value) {
        return new SimpleMeter(name, description, unit, ProxyMetrics.Type.GAUGE, tags, value, null);
    }

    static SimpleMeter timer(String name, String description, Map<String, String> tags, Histogram histogram) {
        return new SimpleMeter(name, description, "", ProxyMetrics.Type.TIMER, tags, () -> 0, histogram);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public String baseUnit() {
        return baseUnit;
    }

    @Override
    public ProxyMetrics.Type type() {
        return type;
    }

    @Override
    public Map<String, String> tags() {
        return tags;
    }

    @Override
    public double value() {
        return value.getAsDouble();
    }

    @Override
    public long count() {
        return histogram == null ? 0 : histogram.count();
    }

    @Override
    public double totalSeconds() {
        return histogram == null ? 0 : histogram.totalNanos() / 1e9;
    }

    @Override
    public double maxSeconds() {
        return histogram == null ? 0 : histogram.maxNanos() / 1e9;
    }

    Histogram histogram() {
        return histogram;
    }

    @Override
    public String toString() {
        return name + tags + "=" + (histogram == null ? value() : count() + "/" + totalSeconds() + "s");
    }
}
