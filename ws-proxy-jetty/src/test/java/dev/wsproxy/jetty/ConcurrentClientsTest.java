package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wsproxy.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Many connections at once through one proxy: every message is echoed to its own connection, in the
 * order it was sent. All connections stay open for the whole exchange, so relays run side by side.
 */
class ConcurrentClientsTest {

    private static final int CLIENTS = 200;
    private static final int MESSAGES = 100;
    /** Enough senders to keep many connections busy at once without 200 threads on 2 cores. */
    private static final int SENDER_THREADS = 24;

    private ProxyFixture fixture;
    private ExecutorService senders;

    @BeforeEach
    void startProxy() throws Exception {
        fixture = ProxyFixture.start();
        senders = Executors.newFixedThreadPool(SENDER_THREADS);
    }

    @AfterEach
    void stopProxy() throws Exception {
        senders.shutdownNow();
        fixture.close();
    }

    @Test
    void everyMessageOfEveryClientIsEchoedInOrder() throws Exception {
        List<Future<TestClient>> connecting = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            connecting.add(senders.submit(() -> TestClient.connect(fixture.uri("/ws/echo"))));
        }
        List<TestClient> clients = new ArrayList<>();
        try {
            for (Future<TestClient> f : connecting) {
                clients.add(f.get(60, TimeUnit.SECONDS));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> fixture.proxy.activeConnections() == CLIENTS);

            List<Future<?>> sending = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                TestClient client = clients.get(c);
                String prefix = "client " + c + " message ";
                sending.add(senders.submit(() -> {
                    for (int m = 0; m < MESSAGES; m++) {
                        client.sendText(prefix + m);
                    }
                }));
            }
            for (Future<?> f : sending) {
                f.get(120, TimeUnit.SECONDS);
            }

            for (int c = 0; c < CLIENTS; c++) {
                for (int m = 0; m < MESSAGES; m++) {
                    TestClient.Message echoed = clients.get(c).next(Duration.ofSeconds(30));
                    assertEquals("client " + c + " message " + m, echoed.asText());
                }
            }
        } finally {
            for (TestClient client : clients) {
                client.close();
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> fixture.proxy.activeConnections() == 0);
    }
}
