package dev.wsproxy.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the whole benchmark once with tiny sizes against every ws-proxy target (tunnel mode on Jetty and on
 * Tomcat 11, message mode on Jetty) and the direct connection, so the harness keeps working; nginx and HAProxy
 * are pointed at a missing binary, so the run is the same whether or not they are installed and their skip
 * notes are checked. Figures are not checked (this is no performance test, and nothing here depends on speed).
 */
class BenchmarkSmokeTest {

    @Test
    @Timeout(240)
    void tinyRunMeasuresEveryScenarioForEveryJavaTargetAndSkipsMissingProxies() throws Exception {
        BenchOptions options = BenchOptions.parse("--reps=1", "--latency-count=200",
                "--throughput-conns=2", "--throughput-inflight=2", "--bulk-conns=1", "--bulk-inflight=2",
                "--bulk-size=65536", "--warmup=0.1", "--measure=0.3", "--scale-conns=20", "--scale-concurrency=5",
                "--scale-warm-max=20",
                "--nginx=/nonexistent/nginx", "--haproxy=/nonexistent/haproxy",
                // C1 only: the children start and warm up faster, and nothing here is a figure
                "--proxy-jvm-opts=-Xmx128m -XX:TieredStopAtLevel=1",
                "--backend-jvm-opts=-Xmx128m -XX:TieredStopAtLevel=1");

        String report = new Benchmark(options).run();

        for (String metric : List.of("| latency p50 (µs) |", "| throughput (msg/s) |", "| bulk (MB/s) |",
                "| handshakes/s, fresh process |", "| handshakes/s, warm |", "| RSS per idle conn (KiB) |", "| heap after GC per idle conn (KiB) |",
                "| metric | direct | tunnel-jetty | tunnel-tomcat | message-jetty |\n")) {
            assertTrue(report.contains(metric), () -> "missing '" + metric + "' in\n" + report);
        }
        if (Files.exists(Path.of("/proc/self/stat"))) {
            assertTrue(report.contains("| proxy CPU per message (µs) | – |"), report);
            assertTrue(report.contains("| proxy CPU per GB (ms) | – |"), report);
        }
        assertTrue(report.contains("| connections held | 20 | 20 | 20 | 20 |"), report);
        assertTrue(report.contains("Note: nginx: no executable at /nonexistent/nginx; skipped"), report);
        assertTrue(report.contains("Note: haproxy: no executable at /nonexistent/haproxy; skipped"), report);
    }

    @Test
    void flagsAreValidatedWithTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.parse("--reps=zero"));
        assertEquals("--reps must be a positive number but was 'zero' (e.g. --reps=3)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--targets=direct,envoy"));
        assertTrue(e.getMessage().startsWith("--targets: unknown target 'envoy' (use any of direct,tunnel-jetty,"),
                e.getMessage());
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

    @Test
    void cpuTimeIsReadAfterTheProcessNameWhateverItHolds() {
        // fields 14 and 15 (utime, stime) counted after the last ')' of a name with spaces and parentheses
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 40 0 99 0 0";
        assertEquals(1234 + 567, ProcStats.parseStatTicks(stat, false));
        assertEquals(567, ProcStats.parseStatTicks(stat, true));
    }

    @Test
    void echoBackendAnswersTheRfc6455SampleKey() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", RawEchoBackend.accept("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void preMaskedFramesCarryTheLengthEncodingAndMaskedPayload() {
        byte[] small = RawConnection.maskedFrame(1, new byte[64]);
        assertEquals(2 + 4 + 64, small.length);
        assertEquals((byte) 0x81, small[0]);
        assertEquals((byte) (0x80 | 64), small[1]);
        assertEquals(RawConnection.MASK[1], small[7]); // a zero payload byte masked is the key byte
        byte[] large = RawConnection.maskedFrame(2, new byte[1 << 20]);
        assertEquals(2 + 8 + 4 + (1 << 20), large.length);
        assertEquals((byte) (0x80 | 127), large[1]);
    }

    @Test
    void externalProxyConfigsAreTheWebSocketRecipes() {
        String haproxy = ExternalProxy.haproxyConfig(8081, 9000, 9800);
        assertTrue(haproxy.contains("  timeout tunnel 3600s\n"), haproxy);
        assertTrue(haproxy.contains("  server echo 127.0.0.1:9000\n"), haproxy);
        String nginx = ExternalProxy.nginxConfig(Path.of("/tmp/x"), 8082, 9000, 9800);
        assertTrue(nginx.contains("proxy_set_header Upgrade $http_upgrade;"), nginx);
        assertTrue(nginx.contains("proxy_read_timeout 3600s;"), nginx);
    }
}
