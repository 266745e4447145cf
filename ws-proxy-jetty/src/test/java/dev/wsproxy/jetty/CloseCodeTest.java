package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wsproxy.testing.TestClient;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Close codes and their reasons pass through the proxy unchanged in both directions. Each case gets its
 * own backend so that the closes the backend records belong to that case alone.
 */
class CloseCodeTest {

    private ProxyFixture fixture;

    @BeforeEach
    void startProxy() throws Exception {
        fixture = ProxyFixture.start();
    }

    @AfterEach
    void stopProxy() throws Exception {
        fixture.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "1000, done",
        "1001, client navigating away",
        "1008, policy: token expired",
        "4000, application code \u00fc\u65e5",
        "4999, last private code"})
    void closeCodeFromClientReachesUpstream(int code, String reason) throws Exception {
        try (TestClient client = TestClient.connect(fixture.uri("/ws/echo"))) {
            client.sendText("ready");
            assertEquals("ready", client.next().asText());
            client.close(code, reason);
            CloseReason atUpstream = fixture.backend.takeClose();
            assertEquals(code, atUpstream.getCloseCode().getCode(), "code at upstream (" + atUpstream + ")");
            assertEquals(reason, atUpstream.getReasonPhrase());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "1000, done",
        "1001, server shutting down",
        "1008, policy: token expired",
        "4000, application code \u00fc\u65e5",
        "4999, last private code"})
    void closeCodeFromUpstreamReachesClient(int code, String reason) throws Exception {
        try (TestClient client = TestClient.connect(fixture.uri("/ws/control"))) {
            client.sendText("close " + code + " " + reason);
            TestClient.Close atClient = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(code, atClient.code, "code at client (" + atClient + ")");
            assertEquals(reason, atClient.reason);
        }
    }
}
