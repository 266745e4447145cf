package dev.wsproxy.examples.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The benchmark's flags. {@code --quick} (under 3 minutes on 2 cores) and the default full run are presets;
 * any later flag overrides a preset's value.
 */
final class BenchOptions {

    static final String USAGE = String.join("\n",
            "usage: Benchmark [--quick] [flags]",
            "  --quick                     small sizes: a run of under 3 minutes",
            "  --reps=N                    repetitions of each scenario per target (default 3; medians are printed)",
            "  --targets=a,b,c             any of direct,ws-proxy,nginx (default: all; nginx skipped when absent)",
            "  --scenarios=a,b             any of latency,throughput,bulk,scale (default: all)",
            "  --latency-count=N           round trips measured per latency run (default 20000; quick 5000)",
            "  --throughput-conns=N        (default 50)   --throughput-inflight=N (default 16)",
            "  --message-size=N            bytes per latency/throughput message (default 64)",
            "  --bulk-conns=N              (default 4)    --bulk-size=N bytes per bulk message (default 1048576)",
            "  --warmup=SECONDS            per throughput/bulk run (default 2; quick 1)",
            "  --measure=SECONDS           per throughput/bulk run (default 8; quick 2)",
            "  --scale-conns=N             idle connections (default 10000; quick 1000), capped by the open-files limit",
            "  --scale-concurrency=N       handshakes in flight while opening them (default 100)",
            "  --nginx=PATH                nginx binary (default: nginx on the PATH, else /usr/sbin/nginx)",
            "  --proxy-jvm-opts='...'      JVM options of the ws-proxy process (default -Xms256m -Xmx1g),",
            "                              e.g. add -XX:StartFlightRecording=filename=proxy.jfr,settings=profile",
            "  --backend-jvm-opts='...'    JVM options of the backend process (default -Xms256m -Xmx1g)");

    int reps = 3;
    List<String> targets = List.of("direct", "ws-proxy", "nginx");
    List<String> scenarios = List.of("latency", "throughput", "bulk", "scale");
    int latencyCount = 20_000;
    int throughputConns = 50;
    int throughputInFlight = 16;
    int messageSize = 64;
    int bulkConns = 4;
    int bulkSize = 1024 * 1024;
    Duration warmup = Duration.ofSeconds(2);
    Duration measure = Duration.ofSeconds(8);
    int scaleConns = 10_000;
    int scaleConcurrency = 100;
    String nginx;
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
                    o.warmup = Duration.ofSeconds(1);
                    o.measure = Duration.ofSeconds(2);
                    o.scaleConns = 1_000;
                    break;
                case "--reps": o.reps = positive(name, value); break;
                case "--targets": o.targets = list(value); break;
                case "--scenarios": o.scenarios = list(value); break;
                case "--latency-count": o.latencyCount = positive(name, value); break;
                case "--throughput-conns": o.throughputConns = positive(name, value); break;
                case "--throughput-inflight": o.throughputInFlight = positive(name, value); break;
                case "--message-size": o.messageSize = positive(name, value); break;
                case "--bulk-conns": o.bulkConns = positive(name, value); break;
                case "--bulk-size": o.bulkSize = positive(name, value); break;
                case "--warmup": o.warmup = Duration.ofMillis((long) (Double.parseDouble(value) * 1000)); break;
                case "--measure": o.measure = Duration.ofMillis((long) (Math.max(0.1, Double.parseDouble(value)) * 1000)); break;
                case "--scale-conns": o.scaleConns = positive(name, value); break;
                case "--scale-concurrency": o.scaleConcurrency = positive(name, value); break;
                case "--nginx": o.nginx = value; break;
                case "--proxy-jvm-opts": o.proxyJvmOptions = words(value); break;
                case "--backend-jvm-opts": o.backendJvmOptions = words(value); break;
                default:
                    throw new IllegalArgumentException("unknown flag '" + arg + "'\n" + USAGE);
            }
        }
        return o;
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

    private static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> words(String value) {
        return Arrays.stream(value.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }
}
