package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.WireFrame;
import dev.wsproxy.testing.WireSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * 10,000 connect / echo / close cycles through tunnels leave nothing behind: no tunnel in the proxy, no
 * session at the upstream, no open file descriptor (counted in {@code /proc/self/fd}: client, proxy and
 * upstream sockets all live in this JVM) and no thread beyond a small tolerance for pools that were
 * already warm. The baseline is taken after a warm-up, so pools and caches that grow once are not counted.
 */
class TunnelConnectionLeakTest {

    private static final int CYCLES = 10_000;
    private static final int WARM_UP_CYCLES = 500;
    private static final int PARALLEL = 4;
    /** Pool threads that may still be parked, not yet expired; a leak of one per connection is 10,000. */
    private static final int THREAD_TOLERANCE = 16;
    /** Descriptors the JVM may open meanwhile (jars, epoll instances of pools that grew). */
    private static final int FD_TOLERANCE = 16;

    @Test
    void tenThousandCyclesLeaveNoTunnelsSocketsOrThreads() throws Exception {
        ExecutorService cyclers = Executors.newFixedThreadPool(PARALLEL);
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).relayMode(ProxyRoute.RelayMode.TUNNEL)
                        .build())
                .build())) {
            runCycles(f, cyclers, WARM_UP_CYCLES);
            awaitNothingOpen(f);
            int baselineThreads = threadCount();
            long baselineFds = openFds();

            runCycles(f, cyclers, CYCLES);

            awaitNothingOpen(f);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                long fds = openFds();
                assertTrue(fds <= baselineFds + FD_TOLERANCE, fds + " open descriptors, " + baselineFds
                        + " after warm-up");
                int threads = threadCount();
                assertTrue(threads <= baselineThreads + THREAD_TOLERANCE, threads + " threads, " + baselineThreads
                        + " after warm-up");
            });
        } finally {
            cyclers.shutdownNow();
        }
    }

    private static void runCycles(ProxyFixture f, ExecutorService cyclers, int cycles) throws Exception {
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < PARALLEL; w++) {
            int first = w;
            workers.add(cyclers.submit(() -> {
                for (int i = first; i < cycles; i += PARALLEL) {
                    cycle(f, i);
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get(5, TimeUnit.MINUTES);
        }
    }

    /** One connection: a message echoed through the tunnel, then the close handshake from the client. */
    private static void cycle(ProxyFixture f, int i) {
        try (WireSocket client = WireSocket.connect(f.server.port(), "/ws/echo")) {
            client.sendFrame(WireFrame.TEXT, true, ("cycle " + i).getBytes());
            assertEquals("cycle " + i, client.readFrameAnsweringPings().payloadText());
            client.sendClose(1000, "");
            assertEquals(WireFrame.CLOSE, client.readFrameAnsweringPings().opcode);
        } catch (IOException e) {
            throw new UncheckedIOException("cycle " + i, e);
        }
    }

    private static void awaitNothingOpen(ProxyFixture f) {
        await().atMost(Duration.ofSeconds(20)).alias("proxy tunnels all ended")
                .until(() -> f.proxy.activeConnections() == 0);
        await().atMost(Duration.ofSeconds(20)).alias("backend sessions all closed")
                .until(() -> f.backend.openSessions() == 0);
    }

    private static int threadCount() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
