package dev.wsproxy.examples.bench;

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
 * Measures, side by side in one run, a WebSocket echo backend directly and through ws-proxy in tunnel mode
 * (Jetty and Tomcat 11), ws-proxy in message mode (Jetty), nginx and HAProxy, and prints a markdown table of
 * medians with the ratios to nginx.
 *
 * <pre>
 * mvn -B -q -pl ws-proxy-examples -am package -DskipTests
 * java -cp "ws-proxy-examples/target/classes:$(cat ws-proxy-examples/target/classpath.txt)" \
 *     dev.wsproxy.examples.bench.Benchmark --quick      # a few minutes; drop --quick for the full run (~17)
 * </pre>
 *
 * <p>The backend and each ws-proxy run in their own JVM ({@link BenchServer}), nginx and HAProxy in their own
 * processes ({@link ExternalProxy}); this JVM is only the load generator ({@link LoadClient}). Everything is on
 * {@code 127.0.0.1}. Scenarios run target after target within each repetition, so background load spreads
 * over the targets rather than hitting one of them. Not thread-safe: one run at a time.
 */
public final class Benchmark {

    /** Descriptors a server process needs besides its connections (jars, epoll, pipes, listeners). */
    static final int FD_RESERVE = 400;

    private final BenchOptions options;
    private final List<Target> targets = new ArrayList<>();
    /** metric → target → one value per repetition. */
    private final Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

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
        long hardLimit = openFilesLimit()[1];
        int maxConnections = (int) Math.min(options.scaleConns, (hardLimit - FD_RESERVE) / 2);
        System.out.println("# ws-proxy benchmark " + started + " — hard open-files limit " + hardLimit
                + ", CPU ticks/s " + ProcStats.TICKS_PER_SECOND);
        String backendMode = options.backend.equals("jetty") ? "backend-jetty" : "backend";
        try (ServerProcess backend = ServerProcess.start("backend", options.backendJvmOptions, backendMode)) {
            try {
                for (String name : options.targets) {
                    Optional<Target> t;
                    try {
                        t = startTarget(name, backend.port(), maxConnections);
                    } catch (IllegalArgumentException e) {
                        throw e;
                    } catch (Exception e) {
                        note(name + ": did not start, skipped: " + e);
                        t = Optional.empty();
                    }
                    t.ifPresent(target -> {
                        targets.add(target);
                        System.out.println(target.describe());
                    });
                }
                try (LoadClient client = new LoadClient()) {
                    Measurements measurements = new Measurements(options, client, results, this::note);
                    warmUp(client);
                    for (String scenario : options.scenarios) {
                        for (int rep = 1; rep <= options.reps; rep++) {
                            for (Target target : targets) {
                                measurements.run(scenario, rep, target, maxConnections);
                            }
                        }
                    }
                }
            } finally {
                for (Target t : targets) {
                    t.close();
                }
            }
        }
        List<String> names = targets.stream().map(t -> t.name).toList();
        return Report.markdown(results, names, notes, options, Duration.between(started, Instant.now()));
    }

    private Optional<Target> startTarget(String name, int backendPort, int maxConnections) throws Exception {
        switch (name) {
            case Target.DIRECT:
                return Optional.of(Target.direct(backendPort));
            case Target.TUNNEL_JETTY:
            case Target.TUNNEL_JETTY_NO_METRICS:
            case Target.MESSAGE_JETTY:
                return Optional.of(Target.java(name, options, backendPort, System.getProperty("java.class.path")));
            case Target.TUNNEL_TOMCAT:
            case Target.TUNNEL_TOMCAT_1K: {
                Path jars = options.tomcatJars != null ? Path.of(options.tomcatJars) : Target.defaultTomcatJars();
                String classpath = Target.tomcatClasspath(jars);
                if (classpath == null) {
                    note(name + ": no Tomcat 11 jars in " + jars + "; skipped (`mvn -pl ws-proxy-examples -am"
                            + " package` copies them there, or pass --tomcat-jars=DIR)");
                    return Optional.empty();
                }
                return Optional.of(Target.java(name, options, backendPort, classpath));
            }
            case Target.NGINX:
            case Target.HAPROXY: {
                ExternalProxy.Kind kind = name.equals(Target.NGINX) ? ExternalProxy.Kind.NGINX
                        : ExternalProxy.Kind.HAPROXY;
                String explicit = name.equals(Target.NGINX) ? options.nginx : options.haproxy;
                Optional<Path> binary = ExternalProxy.find(kind, explicit);
                if (binary.isEmpty()) {
                    note(name + ": " + (explicit != null ? "no executable at " + explicit
                            : "not found on the PATH or in /usr/sbin") + "; skipped (`apt-get install -y " + name
                            + "`, or pass --" + name + "=PATH)");
                    return Optional.empty();
                }
                return Optional.of(Target.external(name, kind, binary.get(), backendPort, maxConnections));
            }
            default:
                throw new IllegalArgumentException("unknown target '" + name + "'");
        }
    }

    /**
     * JIT warm-up of every process before anything is measured (otherwise whichever target runs first pays for
     * compiling the load generator and the backend): a little of each scenario per target, not recorded.
     */
    private void warmUp(LoadClient client) throws Exception {
        Duration each = options.warmup.multipliedBy(2);
        for (Target target : targets) {
            client.stream(target.uri(), options.throughputConns, options.throughputInFlight, options.messageSize,
                    true, Duration.ZERO, each, LoadClient.Window.NONE);
            client.stream(target.uri(), options.bulkConns, options.bulkInFlight, options.bulkSize, false,
                    Duration.ZERO, each, LoadClient.Window.NONE);
            client.latency(target.uri(), 0, Math.min(2000, options.latencyCount), options.messageSize,
                    Duration.ofMinutes(1));
            client.scale(target.uri(), Math.min(200, options.scaleConns), options.scaleConcurrency,
                    Duration.ofMinutes(1), () -> { });
        }
        System.out.println("warm-up done (" + each.toMillis() + " ms of throughput and bulk, 2000 round trips and"
                + " 200 handshakes per target)");
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

    static String tag(String scenario, int rep, int reps, String target) {
        return String.format(Locale.ROOT, "[%s %d/%d %s]", scenario, rep, reps, target);
    }
}
