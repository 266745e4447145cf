package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;

/**
 * A message the upstream sends right after its 101, possibly before the proxy has upgraded the client,
 * is not lost (the relay holds it until the client session exists). Repeated to catch the race.
 */
class GreetingTest {

    private static ProxyFixture fixture;

    @BeforeAll
    static void startProxy() throws Exception {
        fixture = ProxyFixture.start();
    }

    @AfterAll
    static void stopProxy() throws Exception {
        fixture.close();
    }

    @RepeatedTest(50)
    void greetingSentRightAfterHandshakeReachesClient() throws Exception {
        try (TestClient client = TestClient.connect(fixture.uri("/ws/greet"))) {
            assertEquals(Backend.GREETING, client.next().asText());
            client.sendText("after greeting");
            assertEquals("after greeting", client.next().asText());
        }
    }
}
