package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The code and reason a peer or the proxy chose arrive after any length of silence: nothing in the close
 * path may shorten an idle timeout that then fires first (Jetty would send its own 1001 "Connection Idle
 * Timeout" on a hop idle longer than the shortened timeout).
 */
class CloseAfterIdleTest {

    private static final int[] IDLE_SECONDS = {1, 4, 6};

    @Test
    void closeCodesAfterOneFourAndSixSecondsOfIdleArriveBothWaysAndDrainAfterTenSaysShuttingDown() throws Exception {
        try (ProxyFixture f = ProxyFixture.start()) {
            Map<Integer, TestClient> closedByUpstream = new LinkedHashMap<>();
            Map<Integer, TestClient> closedByClient = new LinkedHashMap<>();
            for (int seconds : IDLE_SECONDS) {
                TestClient byUpstream = TestClient.connect(f.uri("/ws/control"));
                byUpstream.sendText("close-later " + seconds * 1000 + " 4001 upstream after " + seconds + "s");
                closedByUpstream.put(seconds, byUpstream);
                closedByClient.put(seconds, TestClient.connect(f.uri("/ws/echo")));
            }
            TestClient drained = TestClient.connect(f.uri("/ws/echo"));
            long start = System.nanoTime();
            for (int seconds : IDLE_SECONDS) {
                idleUntil(start, Duration.ofSeconds(seconds));
                closedByClient.get(seconds).close(4001, "client after " + seconds + "s");
            }
            for (int seconds : IDLE_SECONDS) {
                TestClient.Close atClient = closedByUpstream.get(seconds).awaitClose(Duration.ofSeconds(10));
                assertEquals(4001, atClient.code, "after " + seconds + " s: " + atClient);
                assertEquals("upstream after " + seconds + "s", atClient.reason);
            }
            List<String> atBackend = backendCloses(f.backend, IDLE_SECONDS.length, "client after");
            for (int seconds : IDLE_SECONDS) {
                assertEquals(true, atBackend.contains("4001 client after " + seconds + "s"), atBackend::toString);
            }

            idleUntil(start, Duration.ofSeconds(10));
            f.proxy.drain();
            TestClient.Close atClient = drained.awaitClose(Duration.ofSeconds(10));
            assertEquals(1001, atClient.code);
            assertEquals("proxy shutting down", atClient.reason);
            assertEquals(List.of("1001 proxy shutting down"), backendCloses(f.backend, 1, "proxy"));
            for (TestClient client : closedByClient.values()) {
                client.close();
            }
            for (TestClient client : closedByUpstream.values()) {
                client.close();
            }
        }
    }

    /** Lets the connections sit without any traffic until {@code elapsed} after {@code startNanos}. */
    static void idleUntil(long startNanos, Duration elapsed) {
        Duration left = elapsed.minusNanos(System.nanoTime() - startNanos);
        if (!left.isNegative() && !left.isZero()) {
            await().pollDelay(left).atMost(left.plusSeconds(5)).until(() -> true);
        }
    }

    /** The first {@code count} closes the backend received whose reason starts with {@code prefix}. */
    static List<String> backendCloses(Backend backend, int count, String prefix) throws InterruptedException {
        List<String> found = new ArrayList<>();
        while (found.size() < count) {
            CloseReason close = backend.takeClose();
            if (close.getReasonPhrase().startsWith(prefix)) {
                found.add(close.getCloseCode().getCode() + " " + close.getReasonPhrase());
            }
        }
        return found;
    }
}
