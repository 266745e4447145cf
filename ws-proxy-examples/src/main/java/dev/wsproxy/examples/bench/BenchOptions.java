package dev.wsproxy.examples.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The benchmark's flags. {@code --quick} (a few minutes on 2 cores) and the default full run are presets;
 * any later flag overrides a preset's value. Not thread-safe; read-only once parsed.
 */
final class BenchOptions {

    static final String USAGE = String.join("\n",
            "usage: Benchmark [--quick] [flags]",
            "  --quick                     small sizes: a run of a few minutes",
            "  --reps=N                    repetitions of each scenario per target (default 3; medians are printed)",
            "  --targets=a,b,c             any of direct,tunnel-jetty,tunnel-tomcat,message-jetty,nginx,haproxy,",
            "                              tunnel-jetty-nometrics (tunnel-jetty with metrics and access log off),",
            "                              tunnel-tomcat-1k (tunnel-tomcat with Tomcat's socket buffers at 1 KiB)",
            "                              (default: all but those two; nginx/haproxy skipped with a",
            "                              note when not installed)",
            "  --scenarios=a,b             any of latency,throughput,bulk,scale (default: all)",
            "  --latency-count=N           round trips measured per latency run (default 20000; quick 5000)",
            "  --throughput-conns=N        (default 50)   --throughput-inflight=N (default 16)",
            "  --message-size=N            bytes per latency/throughput message (default 64)",
            "  --bulk-conns=N              (default 4)    --bulk-inflight=N (default 4)",
            "  --bulk-size=N               bytes per bulk message (default 1048576)",
            "  --warmup=SECONDS            per throughput/bulk run (default 1; quick 0.5)",
            "  --measure=SECONDS           per throughput/bulk run (default 5; quick 2)",
            "  --scale-conns=N             idle connections (default 9800; quick 1000), capped by the open-files limit",
            "  --scale-concurrency=N       handshakes in flight while opening them (default 100)",
            "  --scale-warmup=N            handshakes warming a fresh proxy before the scale baseline, in waves of",
            "                              scale-concurrency opened then closed (default 200): the memory baseline",
            "                              and the fresh-process handshake rate",
            "  --scale-warm-max=N          after that burst is closed, warm the proxy with handshakes (rounds of 1000,",
            "                              until its JIT compiles under 2 % of the time, at most N; default 30000)",
            "                              and open the connections again: the warm handshake rate. 0: skip it",
            "  --nginx=PATH / --haproxy=PATH   the binaries (default: on the PATH, else in /usr/sbin)",
            "  --backend=raw|jetty         echo backend: RawEchoBackend (default) or CoreEchoBackend (Jetty core)",
            "  --tomcat-jars=DIR           Tomcat 11 jars for tunnel-tomcat",
            "                              (default ws-proxy-examples/target/bench-tomcat11)",
            "  --jfr=DIR                   record a JFR profile (settings=profile) of each ws-proxy JVM during its",
            "                              first throughput run and the first scale run's handshakes (fresh and",
            "                              warm), via jcmd JFR.start/JFR.stop, into DIR/<target>-<scenario>.jfr",
            "                              (scenario scale or scale-warm)",
            "  --histogram=DIR             jcmd GC.class_histogram of each ws-proxy JVM with the idle connections open",
            "  --proxy-jvm-opts='...'      JVM options of the ws-proxy processes (default -Xms256m -Xmx1g)",
            "  --backend-jvm-opts='...'    JVM options of the backend process (default -Xms256m -Xmx1g)");

    int reps = 3;
    List<String> targets = Target.DEFAULT;
    List<String> scenarios = List.of("latency", "throughput", "bulk", "scale");
    int latencyCount = 20_000;
    int throughputConns = 50;
    int throughputInFlight = 16;
    int messageSize = 64;
    int bulkConns = 4;
    int bulkInFlight = 4;
    int bulkSize = 1024 * 1024;
    Duration warmup = Duration.ofSeconds(1);
    Duration measure = Duration.ofSeconds(5);
    int scaleConns = 9_800;
    int scaleConcurrency = 100;
    int scaleWarmup = 200;
    int scaleWarmMax = 30_000;
    String nginx;
    String haproxy;
    String backend = "raw";
    String tomcatJars;
    String jfr;
    String histogram;
    List<String> proxyJvmOptions = List.of("-Xms256m", "-Xmx1g");
    List<String> backendJvmOptions = List.of("-Xms256m", "-Xmx1g");
    final List<String> given = new ArrayList<>();

    static BenchOptions parse(String... args) {
        BenchOptions o = new BenchOptions();
        for (String arg : args) {
            o.given.add(arg);
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "";
            switch (name) {
                case "--quick":
                    o.latencyCount = 5_000;
                    o.warmup = Duration.ofMillis(500);
                    o.measure = Duration.ofSeconds(2);
                    o.scaleConns = 1_000;
                    o.scaleWarmMax = 3_000;
                    break;
                case "--reps": o.reps = positive(name, value); break;
                case "--targets": o.targets = targets(value); break;
                case "--scenarios": o.scenarios = list(value); break;
                case "--latency-count": o.latencyCount = positive(name, value); break;
                case "--throughput-conns": o.throughputConns = positive(name, value); break;
                case "--throughput-inflight": o.throughputInFlight = positive(name, value); break;
                case "--message-size": o.messageSize = positive(name, value); break;
                case "--bulk-conns": o.bulkConns = positive(name, value); break;
                case "--bulk-inflight": o.bulkInFlight = positive(name, value); break;
                case "--bulk-size": o.bulkSize = positive(name, value); break;
                case "--warmup": o.warmup = Duration.ofMillis((long) (Double.parseDouble(value) * 1000)); break;
                case "--measure":
                    o.measure = Duration.ofMillis((long) (Math.max(0.1, Double.parseDouble(value)) * 1000));
                    break;
                case "--scale-conns": o.scaleConns = positive(name, value); break;
                case "--scale-concurrency": o.scaleConcurrency = positive(name, value); break;
                case "--scale-warmup": o.scaleWarmup = positive(name, value); break;
                case "--scale-warm-max": o.scaleWarmMax = nonNegative(name, value); break;
                case "--nginx": o.nginx = value; break;
                case "--haproxy": o.haproxy = value; break;
                case "--tomcat-jars": o.tomcatJars = value; break;
                case "--jfr": o.jfr = value; break;
                case "--histogram": o.histogram = value; break;
                case "--backend":
                    if (!value.equals("raw") && !value.equals("jetty")) {
                        throw new IllegalArgumentException("--backend must be raw or jetty but was '" + value
                                + "' (e.g. --backend=raw)");
                    }
                    o.backend = value;
                    break;
                case "--proxy-jvm-opts": o.proxyJvmOptions = words(value); break;
                case "--backend-jvm-opts": o.backendJvmOptions = words(value); break;
                default:
                    throw new IllegalArgumentException("unknown flag '" + arg + "'\n" + USAGE);
            }
        }
        return o;
    }

    private static int nonNegative(String name, String value) {
        return "0".equals(value.trim()) ? 0 : positive(name, value);
    }

    private static int positive(String name, String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive number but was '" + value + "' (e.g. "
                + name + "=3)");
    }

    private static List<String> targets(String value) {
        List<String> targets = list(value);
        for (String t : targets) {
            if (!Target.ALL.contains(t)) {
                throw new IllegalArgumentException("--targets: unknown target '" + t + "' (use any of "
                        + String.join(",", Target.ALL) + ")");
            }
        }
        return targets;
    }

    private static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> words(String value) {
        return Arrays.stream(value.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }
}
