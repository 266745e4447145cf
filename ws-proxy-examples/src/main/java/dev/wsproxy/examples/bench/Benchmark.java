package dev.wsproxy.examples.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Measures a direct connection to a WebSocket echo backend, ws-proxy in front of it and (when installed)
 * nginx in front of it, side by side in one run, and prints a markdown table of medians.
 *
 * <pre>
 * mvn -B -q -pl ws-proxy-examples -am package -DskipTests
 * java -cp "ws-proxy-examples/target/classes:$(cat ws-proxy-examples/target/classpath.txt)" \
 *     dev.wsproxy.examples.bench.Benchmark --quick      # under 3 minutes; drop --quick for the full run
 * </pre>
 *
 * <p>The backend ({@link CoreEchoBackend}) and ws-proxy ({@link BenchServer}) each run in their own JVM, nginx in
 * its own processes; this JVM is only the load generator ({@link LoadClient}). Everything listens on and
 * connects to {@code 127.0.0.1}. Scenarios run target after target within each repetition, so background
 * load spreads over the targets rather than hitting one of them.
 */
public final class Benchmark {

    static final String DIRECT = "direct";
    static final String PROXY = "ws-proxy";
    static final String NGINX = "nginx";
    /** Descriptors a server process needs besides its connections (jars, epoll, pipes, listeners). */
    static final int FD_RESERVE = 400;

    private final BenchOptions options;
    private final Map<String, URI> targets = new LinkedHashMap<>();
    /** metric → target → one value per repetition. */
    private final Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private ServerProcess proxy;
    private int backendPort;
    private Nginx nginx;

    Benchmark(BenchOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (options.given.contains("--help")) {
            System.out.println(BenchOptions.USAGE);
            return;
        }
        System.out.println(new Benchmark(options).run());
    }

    /** Runs everything and returns the report (markdown). */
    String run() throws Exception {
        Instant started = Instant.now();
        long[] nofile = openFilesLimit();
        System.out.println("# ws-proxy benchmark " + started + " — open files limit: soft " + nofile[0] + ", hard "
                + nofile[1] + " (each server process gets the hard limit)");
        try (ServerProcess backend = ServerProcess.start("backend", options.backendJvmOptions, "backend")) {
            backendPort = backend.port();
            targets.put(DIRECT, URI.create("ws://127.0.0.1:" + backend.port() + "/echo"));
            if (options.targets.contains(PROXY)) {
                proxy = ServerProcess.start("proxy", options.proxyJvmOptions, "proxy", String.valueOf(backend.port()));
                targets.put(PROXY, URI.create("ws://127.0.0.1:" + proxy.port() + "/echo"));
                System.out.println("ws-proxy: pid " + proxy.pid() + ", port " + proxy.port() + ", log " + proxy.log());
            }
            if (options.targets.contains(NGINX)) {
                Optional<Path> binary = Nginx.find(options.nginx);
                if (binary.isEmpty()) {
                    note("nginx: not found on the PATH or at /usr/sbin/nginx; skipped (install it, or pass --nginx=PATH)");
                } else {
                    nginx = Nginx.start(binary.get(), backend.port(), (int) Math.min(nofile[1], 1 << 20));
                    targets.put(NGINX, URI.create("ws://127.0.0.1:" + nginx.port() + "/echo"));
                    System.out.println("nginx: " + binary.get() + ", pid " + nginx.pid() + ", port " + nginx.port());
                }
            }
            if (!options.targets.contains(DIRECT)) {
                targets.remove(DIRECT);
            }
            try (LoadClient client = new LoadClient()) {
                warmUp(client);
                for (String scenario : options.scenarios) {
                    for (int rep = 1; rep <= options.reps; rep++) {
                        for (Map.Entry<String, URI> target : targets.entrySet()) {
                            runScenario(client, scenario, rep, target.getKey(), target.getValue(), nofile[1]);
                        }
                    }
                }
            } finally {
                if (proxy != null) {
                    proxy.close();
                }
                if (nginx != null) {
                    nginx.close();
                }
            }
        }
        return Report.markdown(results, new ArrayList<>(targets.keySet()), notes, options,
                Duration.between(started, Instant.now()));
    }

    /**
     * JIT warm-up of every process before anything is measured (otherwise whichever target runs first pays
     * for compiling the load generator and the backend): a little of each scenario per target, not recorded.
     */
    private void warmUp(LoadClient client) throws Exception {
        Duration each = options.warmup.multipliedBy(2);
        for (Map.Entry<String, URI> target : targets.entrySet()) {
            URI uri = target.getValue();
            client.stream(uri, options.throughputConns, options.throughputInFlight, options.messageSize, true,
                    Duration.ZERO, each);
            client.stream(uri, options.bulkConns, 2, options.bulkSize, false, Duration.ZERO, each);
            client.latency(uri, 0, 2000, options.messageSize, Duration.ofMinutes(1));
            client.scale(uri, 200, options.scaleConcurrency, Duration.ofMinutes(1), () -> { });
        }
        System.out.println("warm-up done (" + each.toMillis() + " ms of throughput and bulk, 2000 round trips and"
                + " 200 handshakes per target)");
    }

    private void runScenario(LoadClient client, String scenario, int rep, String name, URI uri, long hardLimit)
            throws Exception {
        String tag = String.format(Locale.ROOT, "[%s %d/%d %s]", scenario, rep, options.reps, name);
        switch (scenario) {
            case "latency": {
                long[] rtt = client.latency(uri, Math.max(1000, options.latencyCount / 10), options.latencyCount,
                        options.messageSize, Duration.ofMinutes(3));
                record("latency p50 (µs)", name, percentile(rtt, 0.50) / 1e3);
                record("latency p99 (µs)", name, percentile(rtt, 0.99) / 1e3);
                record("latency p999 (µs)", name, percentile(rtt, 0.999) / 1e3);
                System.out.printf(Locale.ROOT, "%s p50 %.0f µs, p99 %.0f µs, p999 %.0f µs%n", tag,
                        percentile(rtt, 0.50) / 1e3, percentile(rtt, 0.99) / 1e3, percentile(rtt, 0.999) / 1e3);
                break;
            }
            case "throughput": {
                double[] r = client.stream(uri, options.throughputConns, options.throughputInFlight, options.messageSize,
                        true, options.warmup, options.measure);
                record("throughput (msg/s)", name, r[0]);
                System.out.printf(Locale.ROOT, "%s %.0f msg/s%n", tag, r[0]);
                break;
            }
            case "bulk": {
                double[] r = client.stream(uri, options.bulkConns, 2, options.bulkSize, false, options.warmup,
                        options.measure);
                record("bulk (MB/s)", name, r[1] / 1e6);
                System.out.printf(Locale.ROOT, "%s %.1f MB/s%n", tag, r[1] / 1e6);
                break;
            }
            case "scale":
                scale(client, tag, name, uri, hardLimit);
                break;
            default:
                throw new IllegalArgumentException("unknown scenario '" + scenario
                        + "' (use latency, throughput, bulk or scale)");
        }
    }

    /**
     * Idle connections. A proxy holds two descriptors per connection (client side and upstream side), and so
     * does this JVM when the connections are direct (the backend holds the other end), so the count is capped
     * by the hard open-files limit, which an unprivileged process cannot raise.
     */
    private void scale(LoadClient client, String tag, String name, URI uri, long hardLimit) throws Exception {
        int count = (int) Math.min(options.scaleConns, (hardLimit - FD_RESERVE) / 2);
        if (count < options.scaleConns) {
            note("scale: " + options.scaleConns + " connections asked, " + count + " used: the hard open-files limit"
                    + " is " + hardLimit + " and a proxy holds 2 descriptors per connection (raise it with"
                    + " `ulimit -Hn` as root or LimitNOFILE=)");
        }
        ServerProcess.Stats[] before = {null};
        ServerProcess.Stats[] during = {null};
        long[] nginxRss = {-1, -1};
        if (PROXY.equals(name)) {
            // A JVM keeps the memory it once used: a fresh proxy per repetition, or later repetitions' RSS would
            // include the previous one's peak. Its handshake path is warmed before the baseline is taken.
            proxy.close();
            proxy = ServerProcess.start("proxy", options.proxyJvmOptions, "proxy", String.valueOf(backendPort));
            uri = URI.create("ws://127.0.0.1:" + proxy.port() + "/echo");
            targets.put(PROXY, uri);
            client.scale(uri, 200, options.scaleConcurrency, Duration.ofMinutes(1), () -> { });
            before[0] = proxy.stats();
        } else if (NGINX.equals(name)) {
            nginxRss[0] = nginx.rssBytes();
        }
        LoadClient.ScaleResult r = client.scale(uri, count, options.scaleConcurrency, Duration.ofMinutes(5), () -> {
            try {
                if (PROXY.equals(name)) {
                    during[0] = proxy.stats();
                    histogram(proxy.pid());
                } else if (NGINX.equals(name)) {
                    nginxRss[1] = nginx.rssBytes();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        record("scale: connections held", name, r.opened);
        record("scale: handshakes/s", name, r.handshakesPerSecond);
        String memory = "";
        if (during[0] != null && r.opened > 0) {
            double heap = (during[0].heapBytes - before[0].heapBytes) / 1024.0 / r.opened;
            double rss = (during[0].rssBytes - before[0].rssBytes) / 1024.0 / r.opened;
            record("scale: heap after GC per conn (KiB)", name, heap);
            record("scale: RSS per conn (KiB)", name, rss);
            memory = String.format(Locale.ROOT, ", heap %.1f KiB/conn (%d MB total), RSS %.1f KiB/conn (%d MB"
                    + " total), %d threads", heap, during[0].heapBytes >> 20, rss, during[0].rssBytes >> 20,
                    during[0].threads);
        } else if (nginxRss[1] > 0 && r.opened > 0) {
            double rss = (nginxRss[1] - nginxRss[0]) / 1024.0 / r.opened;
            record("scale: RSS per conn (KiB)", name, rss);
            memory = String.format(Locale.ROOT, ", RSS %.1f KiB/conn (%d MB total)", rss, nginxRss[1] >> 20);
        }
        System.out.printf(Locale.ROOT, "%s %d/%d open, %.0f handshakes/s%s%s%n", tag, r.opened, count,
                r.handshakesPerSecond, memory, r.failed > 0 ? ", first failure: " + r.firstFailure : "");
    }

    /** With {@code -Dbench.histogram=FILE}: the proxy's class histogram while the idle connections are open. */
    private static void histogram(long pid) {
        String file = System.getProperty("bench.histogram");
        if (file == null) {
            return;
        }
        try {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.class_histogram")
                    .redirectOutput(Path.of(file).toFile()).start().waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            System.out.println("note: no class histogram: " + e);
        }
    }

    private void record(String metric, String target, double value) {
        results.computeIfAbsent(metric, m -> new LinkedHashMap<>()).computeIfAbsent(target, t -> new ArrayList<>())
                .add(value);
    }

    private void note(String note) {
        if (!notes.contains(note)) {
            notes.add(note);
            System.out.println("note: " + note);
        }
    }

    static double percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** {soft, hard} RLIMIT_NOFILE of this process from /proc/self/limits; {-1, 20000} where unknown. */
    static long[] openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return new long[] {parseLimit(f[0]), parseLimit(f[1])};
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return new long[] {-1, 20_000};
    }

    private static long parseLimit(String s) {
        return s.equals("unlimited") ? 1 << 20 : Long.parseLong(s);
    }
}
