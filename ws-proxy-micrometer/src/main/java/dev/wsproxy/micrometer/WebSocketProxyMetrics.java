package dev.wsproxy.micrometer;

import dev.wsproxy.ProxyMetrics;
import dev.wsproxy.WebSocketProxy;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Binds a {@link WebSocketProxy}'s {@linkplain WebSocketProxy#metrics() metrics} to a Micrometer
 * {@link MeterRegistry}: counters as {@link FunctionCounter}s, gauges as {@link Gauge}s, timers as
 * {@link FunctionTimer}s (count and total) plus a {@code <name>.max} {@link TimeGauge}. Every meter carries the
 * {@code route} and {@code upstream} tags (plus the extra tags given here); meters the proxy creates later (a new
 * upstream member, status or close code) are registered as they appear.
 *
 * <pre>{@code
 * new WebSocketProxyMetrics(proxy).bindTo(registry);
 * }</pre>
 *
 * <p>The values are read from the proxy when the registry publishes; nothing is recorded twice. Spring Boot: the
 * starter binds it automatically when this module and Actuator are on the classpath. Thread-safe.
 */
public final class WebSocketProxyMetrics implements MeterBinder {

    private final WebSocketProxy proxy;
    private final Tags tags;

    /** Binds {@code proxy}'s meters with their own tags only. */
    public WebSocketProxyMetrics(WebSocketProxy proxy) {
        this(proxy, Tags.empty());
    }

    /** Binds {@code proxy}'s meters with {@code extraTags} added (e.g. {@code proxy=edge} for several proxies). */
    public WebSocketProxyMetrics(WebSocketProxy proxy, Iterable<Tag> extraTags) {
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.tags = Tags.of(extraTags);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        proxy.metrics().forEachMeter(meter -> register(registry, meter));
    }

    private void register(MeterRegistry registry, ProxyMetrics.Meter meter) {
        Tags all = tags;
        for (Map.Entry<String, String> tag : meter.tags().entrySet()) {
            all = all.and(tag.getKey(), tag.getValue());
        }
        String unit = meter.baseUnit().isEmpty() ? null : meter.baseUnit();
        switch (meter.type()) {
            case COUNTER -> FunctionCounter.builder(meter.name(), meter, ProxyMetrics.Meter::value).tags(all)
                    .description(meter.description()).baseUnit(unit).register(registry);
            case GAUGE -> Gauge.builder(meter.name(), meter, ProxyMetrics.Meter::value).tags(all)
                    .description(meter.description()).baseUnit(unit).strongReference(true).register(registry);
            case TIMER -> {
                FunctionTimer.builder(meter.name(), meter, ProxyMetrics.Meter::count, ProxyMetrics.Meter::totalSeconds,
                        TimeUnit.SECONDS).tags(all).description(meter.description()).register(registry);
                TimeGauge.builder(meter.name() + ".max", meter, TimeUnit.SECONDS, ProxyMetrics.Meter::maxSeconds)
                        .tags(all).description(meter.description() + " (the longest)").register(registry);
            }
            default -> throw new IllegalStateException("unknown meter type " + meter.type());
        }
    }
}
