package dev.wsproxy.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the whole benchmark once with tiny sizes, so the harness keeps working; its figures are not checked
 * (this is no performance test, and nothing here depends on speed).
 */
class BenchmarkSmokeTest {

    @Test
    @Timeout(180)
    void tinyRunMeasuresEveryScenarioForDirectAndProxy() throws Exception {
        BenchOptions options = BenchOptions.parse("--reps=1", "--targets=direct,ws-proxy", "--latency-count=200",
                "--throughput-conns=2", "--throughput-inflight=2", "--bulk-conns=1", "--bulk-size=65536",
                "--warmup=0.1", "--measure=0.3", "--scale-conns=20", "--scale-concurrency=5",
                "--proxy-jvm-opts=-Xmx128m", "--backend-jvm-opts=-Xmx128m");

        String report = new Benchmark(options).run();

        for (String metric : List.of("latency p50 (µs)", "throughput (msg/s)", "bulk (MB/s)", "scale: handshakes/s",
                "scale: heap after GC per conn (KiB)", "| ws-proxy / direct |")) {
            assertTrue(report.contains(metric), () -> "missing '" + metric + "' in\n" + report);
        }
        assertTrue(report.contains("| scale: connections held | 20 | 20 |"), report);
    }

    @Test
    void flagsAreValidatedWithTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.parse("--reps=zero"));
        assertEquals("--reps must be a positive number but was 'zero' (e.g. --reps=3)", e.getMessage());
        assertEquals(Duration.ofSeconds(2), BenchOptions.parse("--quick").measure);
    }

    @Test
    void percentilesAndMedians() {
        long[] sorted = new long[1000];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = i + 1;
        }
        assertEquals(500, Benchmark.percentile(sorted, 0.50));
        assertEquals(999, Benchmark.percentile(sorted, 0.999));
        assertEquals(2.5, Report.median(List.of(4.0, 1.0, 3.0, 2.0)));
    }
}
