package dev.wsproxy.internal.metrics;

import dev.wsproxy.ProxyMetrics;
import dev.wsproxy.ProxyRoute;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics as MBeans of the JDK's platform MBean server: {@code dev.wsproxy:type=Route,name="/ws/"} per route
 * and {@code dev.wsproxy:type=Upstream,name="host:port"} per upstream member (registered when first used), each
 * summing its meters over the other dimension. Read-only attributes, named after the meter without its
 * {@code wsproxy.} prefix plus its extra tag values ({@code messages.client_to_upstream},
 * {@code handshakes.101.upgraded}, {@code closes.client.1000.close}); timers give {@code .count},
 * {@code .mean_ms}, {@code .p50_ms}, {@code .p99_ms} and {@code .max_ms}.
 *
 * <p>Thread-safe; {@link #unregister()} removes every MBean this object registered.
 */
public final class JmxMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(JmxMetrics.class);

    /** The domain of every ws-proxy MBean. */
    public static final String DOMAIN = "dev.wsproxy";

    private final MetricsRegistry metrics;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final Set<ObjectName> registered = ConcurrentHashMap.newKeySet();
    private final Set<String> upstreams = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private JmxMetrics(MetricsRegistry metrics) {
        this.metrics = metrics;
    }

    /** Registers a route MBean per route now, and an upstream MBean per upstream member as each appears. */
    public static JmxMetrics register(MetricsRegistry metrics, List<ProxyRoute> routes) {
        JmxMetrics jmx = new JmxMetrics(metrics);
        for (ProxyRoute route : routes) {
            jmx.add("Route", "route", route.path());
        }
        metrics.forEachMeter(meter -> {
            String upstream = meter.tags().get("upstream");
            if (upstream != null && jmx.upstreams.add(upstream)) {
                jmx.add("Upstream", "upstream", upstream);
            }
        });
        return jmx;
    }

    /** The object name of a route's or upstream's MBean. */
    public static ObjectName name(String type, String name) throws JMException {
        return new ObjectName(DOMAIN + ":type=" + type + ",name=" + ObjectName.quote(name));
    }

    private void add(String type, String tag, String value) {
        if (closed) {
            return;
        }
        try {
            ObjectName name = name(type, value);
            if (server.isRegistered(name)) {
                LOG.warn("JMX name {} is taken (another proxy in this JVM?); not registering it (build one of the"
                        + " proxies with jmx(false))", name);
                return;
            }
            server.registerMBean(new View(metrics, tag, value), name);
            registered.add(name);
        } catch (JMException | RuntimeException e) {
            LOG.warn("could not register the JMX MBean for {} {}: {}", tag, value, e.toString());
        }
    }

    /** Unregisters every MBean registered here. Idempotent. */
    public void unregister() {
        closed = true;
        for (ObjectName name : registered) {
            try {
                server.unregisterMBean(name);
            } catch (JMException e) {
                LOG.debug("could not unregister {}", name, e);
            }
        }
        registered.clear();
    }

    /** One route's or upstream's attributes, computed from the meters on each read. */
    static final class View implements javax.management.DynamicMBean {
        private final MetricsRegistry metrics;
        private final String tag;
        private final String value;

        View(MetricsRegistry metrics, String tag, String value) {
            this.metrics = metrics;
            this.tag = tag;
            this.value = value;
        }

        /** Attribute name to value, summed (largest: max) over the matching meters. */
        Map<String, Object> values() {
            Map<String, Object> out = new TreeMap<>();
            Map<String, Histogram.Snapshot> timers = new TreeMap<>();
            for (ProxyMetrics.Meter meter : metrics.meters()) {
                if (!value.equals(meter.tags().get(tag))) {
                    continue;
                }
                StringBuilder name = new StringBuilder(meter.name().substring("wsproxy.".length()));
                meter.tags().entrySet().stream()
                        .filter(e -> !e.getKey().equals("route") && !e.getKey().equals("upstream"))
                        .sorted(Map.Entry.comparingByKey(MeterTags.ORDER))
                        .forEach(e -> name.append('.').append(e.getValue()));
                String key = name.toString();
                if (meter.type() == ProxyMetrics.Type.TIMER) {
                    ((SimpleMeter) meter).histogram().addTo(timers.computeIfAbsent(key, k -> new Histogram.Snapshot()));
                } else {
                    long v = (long) meter.value();
                    out.merge(key, v, (a, b) -> key.contains("largest") ? Math.max((Long) a, (Long) b)
                            : (Long) a + (Long) b);
                }
            }
            timers.forEach((key, s) -> {
                out.put(key + ".count", s.count());
                out.put(key + ".mean_ms", s.meanMillis());
                out.put(key + ".p50_ms", s.quantileMillis(0.5));
                out.put(key + ".p99_ms", s.quantileMillis(0.99));
                out.put(key + ".max_ms", s.maxMillis());
            });
            return out;
        }

        @Override
        public Object getAttribute(String attribute) throws javax.management.AttributeNotFoundException {
            Object v = values().get(attribute);
            if (v == null) {
                throw new javax.management.AttributeNotFoundException(attribute + " (not seen yet, or no such"
                        + " attribute)");
            }
            return v;
        }

        @Override
        public void setAttribute(javax.management.Attribute attribute) {
            throw new UnsupportedOperationException("ws-proxy metrics are read-only");
        }

        @Override
        public javax.management.AttributeList getAttributes(String[] attributes) {
            Map<String, Object> all = values();
            javax.management.AttributeList list = new javax.management.AttributeList();
            for (String a : attributes) {
                if (all.containsKey(a)) {
                    list.add(new javax.management.Attribute(a, all.get(a)));
                }
            }
            return list;
        }

        @Override
        public javax.management.AttributeList setAttributes(javax.management.AttributeList attributes) {
            return new javax.management.AttributeList();
        }

        @Override
        public Object invoke(String actionName, Object[] params, String[] signature) {
            throw new UnsupportedOperationException("ws-proxy metrics have no operations");
        }

        @Override
        public javax.management.MBeanInfo getMBeanInfo() {
            Map<String, Object> all = values();
            javax.management.MBeanAttributeInfo[] attrs = all.entrySet().stream()
                    .map(e -> new javax.management.MBeanAttributeInfo(e.getKey(), e.getValue().getClass().getName(),
                            e.getKey(), true, false, false))
                    .toArray(javax.management.MBeanAttributeInfo[]::new);
            return new javax.management.MBeanInfo(View.class.getName(), "ws-proxy metrics of " + tag + " " + value,
                    attrs, null, null, null);
        }
    }
}
