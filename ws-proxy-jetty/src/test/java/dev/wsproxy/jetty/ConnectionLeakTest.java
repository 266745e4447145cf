package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Many short connections leave nothing behind: no relay in the proxy, no session at the upstream, and no
 * thread more than before once the pools' idle timeouts have passed.
 *
 * <p>Pools that keep idle threads for a while are waited out: Tyrus's transport pool (extra threads end
 * 10 s after use, the whole pool 30 s after its last connection), the proxy's connector threads (5 s), the
 * backend's Jetty pool (2 s). One pool is excluded from the count: the proxy server's Jetty
 * {@link QueuedThreadPool} ({@link JettyProxyServer} uses Jetty's default, 60 s idle timeout, and it shrinks
 * by at most one thread per timeout, so a pool that grew by a few threads takes minutes to shrink; its idle
 * timeout cannot be changed on a running pool). Instead, its <em>busy</em> threads must return to their
 * warm-up number: a request or WebSocket thread stuck in the proxy would stay busy.
 */
class ConnectionLeakTest {

    private static final int CYCLES = 1000;
    private static final int WARM_UP_CYCLES = 100;
    private static final int PARALLEL = 4;

    private ProxyFixture fixture;
    private ExecutorService cyclers;

    @BeforeEach
    void startProxy() throws Exception {
        fixture = ProxyFixture.start();
        cyclers = Executors.newFixedThreadPool(PARALLEL);
    }

    @AfterEach
    void stopProxy() throws Exception {
        cyclers.shutdownNow();
        fixture.close();
    }

    @Test
    void connectCloseCyclesLeaveNoSessionsOrThreads() throws Exception {
        runCycles(WARM_UP_CYCLES);
        awaitNoSessions();
        QueuedThreadPool proxyServerPool = (QueuedThreadPool) fixture.server.server().getThreadPool();
        int baseline = threadCount() - proxyServerPool.getThreads();
        int baselineBusy = proxyServerPool.getBusyThreads();
        Map<String, Integer> baselinePools = threadsByPool();

        runCycles(CYCLES);

        awaitNoSessions();
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            int busy = proxyServerPool.getBusyThreads();
            assertTrue(busy <= baselineBusy, () -> busy + " busy proxy server threads, " + baselineBusy
                    + " after warm-up: " + proxyServerPool.dump());
            int now = threadCount() - proxyServerPool.getThreads();
            assertTrue(now <= baseline, () -> now + " threads besides the proxy server's pool, " + baseline
                    + " after warm-up; pools above their warm-up size: " + grownPools(baselinePools));
        });
    }

    /** Runs {@code cycles} connect, echo, close cycles, {@link #PARALLEL} at a time. */
    private void runCycles(int cycles) throws Exception {
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < PARALLEL; w++) {
            int first = w;
            workers.add(cyclers.submit(() -> {
                for (int i = first; i < cycles; i += PARALLEL) {
                    try (TestClient client = TestClient.connect(fixture.uri("/ws/echo"))) {
                        client.sendText("cycle " + i);
                        assertEquals("cycle " + i, client.next().asText());
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get(3, TimeUnit.MINUTES);
        }
    }

    private void awaitNoSessions() {
        await().atMost(Duration.ofSeconds(20)).alias("proxy relays all ended")
                .until(() -> fixture.proxy.activeConnections() == 0);
        await().atMost(Duration.ofSeconds(20)).alias("backend sessions all closed")
                .until(() -> fixture.backend.openSessions() == 0);
    }

    /** Live threads, less awaitility's own poll thread (it exists only while the check below runs). */
    private static int threadCount() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !t.getName().startsWith("awaitility")).count();
    }

    /** Thread counts by name with the trailing number removed, e.g. {@code ws-proxy-connect}. */
    private static Map<String, Integer> threadsByPool() {
        return Thread.getAllStackTraces().keySet().stream()
                .collect(Collectors.groupingBy(t -> t.getName().replaceAll("[-\\d]+$", ""), TreeMap::new,
                        Collectors.summingInt(t -> 1)));
    }

    private static Map<String, String> grownPools(Map<String, Integer> baselinePools) {
        Map<String, String> grown = new TreeMap<>();
        threadsByPool().forEach((pool, count) -> {
            if (count > baselinePools.getOrDefault(pool, 0)) {
                grown.put(pool, baselinePools.getOrDefault(pool, 0) + " -> " + count);
            }
        });
        return grown;
    }
}
