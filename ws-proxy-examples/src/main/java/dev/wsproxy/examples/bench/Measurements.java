package dev.wsproxy.examples.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One scenario against one target, recorded into the run's results. The proxy's CPU time is read from
 * {@code /proc} ({@link ProcStats}) at the start and the end of each throughput and bulk measuring window, so
 * it covers exactly the messages counted. Not thread-safe: the harness's main thread drives it.
 */
final class Measurements {

    static final String P50 = "latency p50 (µs)";
    static final String P99 = "latency p99 (µs)";
    static final String P999 = "latency p999 (µs)";
    static final String THROUGHPUT = "throughput (msg/s)";
    static final String CPU_PER_MESSAGE = "proxy CPU per message (µs)";
    static final String KERNEL_SHARE = "proxy CPU in the kernel, throughput (%)";
    static final String BULK = "bulk (MB/s)";
    static final String CPU_PER_GB = "proxy CPU per GB (ms)";
    static final String HANDSHAKES = "handshakes/s, fresh process";
    static final String CPU_PER_HANDSHAKE = "proxy CPU per handshake, fresh process (µs)";
    static final String HANDSHAKES_WARM = "handshakes/s, warm";
    static final String CPU_PER_HANDSHAKE_WARM = "proxy CPU per handshake, warm (µs)";
    static final String JIT_WARM = "proxy JIT time while opening, warm (ms)";
    static final String HELD = "connections held";
    static final String RSS = "RSS per idle conn (KiB)";
    static final String HEAP = "heap after GC per idle conn (KiB)";

    private final BenchOptions options;
    private final LoadClient client;
    private final Map<String, Map<String, List<Double>>> results;
    private final Consumer<String> notes;

    Measurements(BenchOptions options, LoadClient client, Map<String, Map<String, List<Double>>> results,
                 Consumer<String> notes) {
        this.options = options;
        this.client = client;
        this.results = results;
        this.notes = notes;
    }

    void run(String scenario, int rep, Target target, int maxConnections) throws Exception {
        String tag = Benchmark.tag(scenario, rep, options.reps, target.name);
        try {
            measure(scenario, rep, tag, target, maxConnections);
        } catch (IllegalArgumentException e) {
            throw e; // an unknown scenario: the flags are wrong
        } catch (Exception e) {
            // one failed run must not lose the others: it is reported and has no figure
            notes.accept(tag + " failed, no figure recorded: " + e);
        } finally {
            settle(target);
        }
    }

    /**
     * Waits (at most 10 s) until the proxy has finished with the connections just closed — less than 10 % of a core
     * over 200 ms — so that its clean-up does not land in the next target's figures.
     */
    private static void settle(Target target) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long last = target.cpuNanos();
        while (last >= 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            long now = target.cpuNanos();
            if (now - last < Duration.ofMillis(20).toNanos()) {
                return;
            }
            last = now;
        }
    }

    private void measure(String scenario, int rep, String tag, Target target, int maxConnections) throws Exception {
        switch (scenario) {
            case "latency": {
                long[] rtt = client.latency(target.uri(), Math.max(1000, options.latencyCount / 10),
                        options.latencyCount, options.messageSize, Duration.ofMinutes(3));
                double p50 = Benchmark.percentile(rtt, 0.50) / 1e3;
                double p99 = Benchmark.percentile(rtt, 0.99) / 1e3;
                double p999 = Benchmark.percentile(rtt, 0.999) / 1e3;
                record(P50, target, p50);
                record(P99, target, p99);
                record(P999, target, p999);
                System.out.printf(Locale.ROOT, "%s p50 %.0f µs, p99 %.0f µs, p999 %.0f µs%n", tag, p50, p99, p999);
                break;
            }
            case "throughput": {
                boolean jfr = startJfr(tag, rep, target, scenario);
                CpuWindow cpu = new CpuWindow(target);
                double[] r = client.stream(target.uri(), options.throughputConns, options.throughputInFlight,
                        options.messageSize, true, options.warmup, options.measure, cpu);
                if (jfr) {
                    System.out.println(tag + " " + target.jcmd("JFR.stop", "name=bench"));
                }
                record(THROUGHPUT, target, r[0]);
                double perMessage = cpu.nanos() < 0 ? -1 : cpu.nanos() / 1e3 / r[2];
                if (perMessage >= 0) {
                    record(CPU_PER_MESSAGE, target, perMessage);
                    record(KERNEL_SHARE, target, cpu.systemPercent());
                }
                String cpuText = perMessage < 0 ? "" : String.format(Locale.ROOT,
                        ", proxy CPU %.2f µs/msg (%.0f %% in the kernel)", perMessage, cpu.systemPercent());
                System.out.printf(Locale.ROOT, "%s %.0f msg/s%s%n", tag, r[0], cpuText);
                break;
            }
            case "bulk": {
                CpuWindow cpu = new CpuWindow(target);
                double[] r = client.stream(target.uri(), options.bulkConns, options.bulkInFlight, options.bulkSize,
                        false, options.warmup, options.measure, cpu);
                record(BULK, target, r[1] / 1e6);
                double perGb = cpu.nanos() < 0 ? -1 : (cpu.nanos() / 1e6) / (r[3] / 1e9);
                if (perGb >= 0) {
                    record(CPU_PER_GB, target, perGb);
                }
                System.out.printf(Locale.ROOT, "%s %.1f MB/s%s%n", tag, r[1] / 1e6,
                        perGb >= 0 ? String.format(Locale.ROOT, ", proxy CPU %.0f ms/GB", perGb) : "");
                break;
            }
            case "scale":
                scale(tag, target, maxConnections);
                break;
            default:
                throw new IllegalArgumentException("unknown scenario '" + scenario
                        + "' (use latency, throughput, bulk or scale)");
        }
    }

    /**
     * Idle connections. A proxy holds two descriptors per connection (client side and upstream side), so the
     * count is capped by the hard open-files limit, which an unprivileged process cannot raise. Each proxy is
     * restarted first (a process keeps memory it once used) and its handshake path warmed before the baseline.
     */
    private void scale(String tag, Target target, int count) throws Exception {
        if (count < options.scaleConns) {
            notes.accept("scale: " + options.scaleConns + " connections asked, " + count + " used: the hard"
                    + " open-files limit is " + Benchmark.openFilesLimit()[1] + " and a proxy holds 2 descriptors per"
                    + " connection (raise it with `ulimit -Hn` as root or LimitNOFILE=)");
        }
        Target.Memory before = null;
        Target.Memory[] during = {null};
        if (target.isProxy()) {
            target.restart();
            // Warm-up in waves of at most scale-concurrency connections, each opened and closed. The default
            // (200) leaves the memory baseline as a fresh process's; a large one (--scale-warmup=5000) measures a
            // JVM that has compiled its handshake path, at the price of a baseline holding pooled memory.
            for (int done = 0; done < options.scaleWarmup; done += options.scaleConcurrency) {
                client.scale(target.uri(), Math.min(options.scaleConcurrency, options.scaleWarmup - done),
                        options.scaleConcurrency, Duration.ofMinutes(1), () -> { });
            }
            settle(target); // the warm-up's closes are done before the baseline
            before = target.memory();
        }
        Opening opening = open(tag, target, count, "scale", () -> {
            during[0] = target.memory();
            histogram(target);
        });
        LoadClient.ScaleResult r = opening.result;
        record(HANDSHAKES, target, r.handshakesPerSecond);
        record(HELD, target, r.opened);
        String memory = "";
        if (opening.cpuPerHandshake >= 0) {
            record(CPU_PER_HANDSHAKE, target, opening.cpuPerHandshake);
            memory = String.format(Locale.ROOT, ", proxy CPU %.0f µs/handshake", opening.cpuPerHandshake);
        }
        if (before != null && during[0] != null && r.opened > 0) {
            double rss = (during[0].rssBytes - before.rssBytes) / 1024.0 / r.opened;
            record(RSS, target, rss);
            memory += String.format(Locale.ROOT, ", RSS %.1f KiB/conn (%d MB total)", rss, during[0].rssBytes >> 20);
            if (during[0].heapBytes >= 0) {
                double heap = (during[0].heapBytes - before.heapBytes) / 1024.0 / r.opened;
                record(HEAP, target, heap);
                memory += String.format(Locale.ROOT, ", heap after GC %.1f KiB/conn (%d MB total)", heap,
                        during[0].heapBytes >> 20);
            }
        }
        System.out.printf(Locale.ROOT, "%s %d/%d open, %.0f handshakes/s%s%s%n", tag, r.opened, count,
                r.handshakesPerSecond, memory,
                r.failed > 0 ? ", " + r.failed + " failed, first: " + r.firstFailure : "");
        if (options.scaleWarmMax > 0) {
            warmScale(tag, target, count);
        }
    }

    /**
     * The same opening again once the proxy is warm: after the fresh process's burst is closed, waves of
     * handshakes (opened, then closed) until the proxy's JIT compiled for under 2 % of two rounds of 1,000 in a row
     * after at least a third of the maximum (a Java proxy; one round for the others), at most {@code --scale-warm-max}; then {@code count} connections
     * opened and held as before. Memory is not measured here: the warm-up's pooled memory is in any baseline.
     */
    private void warmScale(String tag, Target target, int count) throws Exception {
        int round = Math.min(Math.max(options.scaleConcurrency, 1000), options.scaleWarmMax);
        int warmed = 0;
        int quietRounds = 0;
        boolean quiet = false;
        while (warmed < options.scaleWarmMax && !quiet) {
            long jit0 = target.compileMillis();
            long t0 = System.nanoTime();
            for (int done = 0; done < round; done += options.scaleConcurrency) {
                client.scale(target.uri(), Math.min(options.scaleConcurrency, round - done), options.scaleConcurrency,
                        Duration.ofMinutes(1), () -> { });
            }
            warmed += round;
            long jit1 = target.compileMillis();
            double wallMillis = (System.nanoTime() - t0) / 1e6;
            quietRounds = jit0 < 0 || (jit1 - jit0) < 0.02 * wallMillis ? quietRounds + 1 : 0;
            // a Java proxy: two quiet rounds in a row after at least a third of the maximum (a round without
            // compiling can come before the next wave of recompilations)
            quiet = jit0 < 0 || (quietRounds >= 2 && warmed >= options.scaleWarmMax / 3);
        }
        if (!quiet) {
            notes.accept("scale, warm: " + target.name + "'s JIT still compiled for over 2 % of the time after "
                    + warmed + " warm-up handshakes (--scale-warm-max)");
        }
        settle(target);
        long[] jit = {target.compileMillis(), -1};
        Opening opening = open(tag, target, count, "scale-warm", () -> jit[1] = target.compileMillis());
        LoadClient.ScaleResult r = opening.result;
        record(HANDSHAKES_WARM, target, r.handshakesPerSecond);
        String detail = "";
        if (opening.cpuPerHandshake >= 0) {
            record(CPU_PER_HANDSHAKE_WARM, target, opening.cpuPerHandshake);
            detail = String.format(Locale.ROOT, ", proxy CPU %.0f µs/handshake", opening.cpuPerHandshake);
        }
        if (jit[0] >= 0 && jit[1] >= 0) {
            record(JIT_WARM, target, jit[1] - jit[0]);
            detail += ", JIT " + (jit[1] - jit[0]) + " ms while opening";
        }
        System.out.printf(Locale.ROOT, "%s warm (after %d warm-up handshakes): %d/%d open, %.0f handshakes/s%s%s%n",
                tag, warmed, r.opened, count, r.handshakesPerSecond, detail,
                r.failed > 0 ? ", " + r.failed + " failed, first: " + r.firstFailure : "");
    }

    /** What an opening of the scale scenario gave: the burst, and the proxy's CPU per handshake (µs) or -1. */
    private static final class Opening {
        final LoadClient.ScaleResult result;
        final double cpuPerHandshake;

        Opening(LoadClient.ScaleResult result, double cpuPerHandshake) {
            this.result = result;
            this.cpuPerHandshake = cpuPerHandshake;
        }
    }

    /** Something to do while all connections of an opening are open. */
    private interface WhileOpen {
        void run() throws Exception;
    }

    /**
     * Opens {@code count} connections (a JFR of the opening with {@code --jfr}, named {@code jfrScenario}), runs
     * {@code whileOpen} with all of them open, closes them. The proxy's CPU is read just before and just after the
     * opening: each handshake, its upstream one, the tunnel start.
     */
    private Opening open(String tag, Target target, int count, String jfrScenario, WhileOpen whileOpen)
            throws Exception {
        boolean jfr = startJfr(tag, 1, target, jfrScenario);
        long[] cpu = {target.cpuNanos(), -1};
        LoadClient.ScaleResult r = client.scale(target.uri(), count, options.scaleConcurrency, Duration.ofMinutes(5),
                () -> {
                    cpu[1] = target.cpuNanos();
                    try {
                        if (jfr) {
                            System.out.println(tag + " " + target.jcmd("JFR.stop", "name=bench"));
                        }
                        whileOpen.run();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        boolean measured = cpu[0] >= 0 && cpu[1] >= 0 && r.opened > 0;
        return new Opening(r, measured ? (cpu[1] - cpu[0]) / 1000.0 / r.opened : -1);
    }

    /** With {@code --jfr=DIR}, in the first repetition: a profile of a Java proxy into DIR/target-scenario.jfr. */
    private boolean startJfr(String tag, int rep, Target target, String scenario) throws Exception {
        if (options.jfr == null || rep != 1 || !target.isJava()) {
            return false;
        }
        Files.createDirectories(Path.of(options.jfr));
        String file = Path.of(options.jfr, target.name + "-" + scenario + ".jfr").toAbsolutePath().toString();
        System.out.println(tag + " " + target.jcmd("JFR.start", "name=bench", "settings=profile", "filename=" + file));
        return true;
    }

    /** With {@code --histogram=DIR}: the proxy's class histogram while the idle connections are open. */
    private void histogram(Target target) throws Exception {
        if (options.histogram == null || !target.isJava()) {
            return;
        }
        Files.createDirectories(Path.of(options.histogram));
        Files.writeString(Path.of(options.histogram, target.name + "-histogram.txt"),
                target.jcmd("GC.class_histogram"));
    }

    private void record(String metric, Target target, double value) {
        results.computeIfAbsent(metric, m -> new LinkedHashMap<>())
                .computeIfAbsent(target.name, t -> new ArrayList<>()).add(value);
    }

    /** The proxy's CPU time between {@link #begin} and {@link #end}; -1 for the direct target. */
    private static final class CpuWindow implements LoadClient.Window {
        private final Target target;
        private long start = -1;
        private long end = -1;
        private long systemStart = -1;
        private long systemEnd = -1;

        CpuWindow(Target target) {
            this.target = target;
        }

        @Override
        public void begin() {
            start = target.cpuNanos();
            systemStart = target.systemNanos();
        }

        @Override
        public void end() {
            end = target.cpuNanos();
            systemEnd = target.systemNanos();
        }

        long nanos() {
            return start < 0 || end < 0 ? -1 : end - start;
        }

        /** The kernel's share of the window's CPU time in percent, or -1. */
        double systemPercent() {
            long all = nanos();
            return all <= 0 || systemStart < 0 || systemEnd < 0 ? -1 : 100.0 * (systemEnd - systemStart) / all;
        }
    }
}
