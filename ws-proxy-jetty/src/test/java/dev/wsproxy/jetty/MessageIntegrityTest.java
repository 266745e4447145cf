package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.Payloads;
import dev.wsproxy.testing.TestClient;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole messages of every size class arrive byte-identical through the proxy, in both directions.
 * Client to upstream is proven by the backend's echo coming back unchanged; upstream to client by the
 * backend generating a seeded payload that the test regenerates and compares by SHA-256.
 */
class MessageIntegrityTest {

    private static final Duration LARGE_MESSAGE_WAIT = Duration.ofSeconds(60);

    private static ProxyFixture fixture;

    static IntStream sizes() {
        return IntStream.of(0, 1, 64 * 1024, 8 * 1024 * 1024, 32 * 1024 * 1024);
    }

    @BeforeAll
    static void startProxy() throws Exception {
        fixture = ProxyFixture.start();
    }

    @AfterAll
    static void stopProxy() throws Exception {
        fixture.close();
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("sizes")
    void textFromClientIsEchoedByteIdentical(int size) throws Exception {
        String sent = Payloads.text(size, size);
        try (TestClient client = TestClient.connect(fixture.uri("/ws/echo"))) {
            client.sendText(sent);
            TestClient.Message echoed = client.next(LARGE_MESSAGE_WAIT);
            assertTrue(echoed.text, "expected a text message but got " + echoed);
            assertEquals(size, echoed.data.length, "UTF-8 bytes echoed");
            assertEquals(Payloads.sha256(sent), Payloads.sha256(echoed.data));
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("sizes")
    void binaryFromClientIsEchoedByteIdentical(int size) throws Exception {
        byte[] sent = Payloads.binary(size, size);
        try (TestClient client = TestClient.connect(fixture.uri("/ws/echo"))) {
            client.sendBinary(sent);
            TestClient.Message echoed = client.next(LARGE_MESSAGE_WAIT);
            assertFalse(echoed.text, "expected a binary message but got " + echoed);
            assertEquals(size, echoed.data.length, "bytes echoed");
            assertEquals(Payloads.sha256(sent), Payloads.sha256(echoed.data));
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("sizes")
    void textFromUpstreamReachesClientByteIdentical(int size) throws Exception {
        long seed = 7L * size + 1;
        try (TestClient client = TestClient.connect(fixture.uri("/ws/control"))) {
            client.sendText("send-text " + size + " " + seed);
            TestClient.Message received = client.next(LARGE_MESSAGE_WAIT);
            assertTrue(received.text, "expected a text message but got " + received);
            assertEquals(size, received.data.length, "UTF-8 bytes received");
            assertEquals(Payloads.sha256(Payloads.text(size, seed)), Payloads.sha256(received.data));
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("sizes")
    void binaryFromUpstreamReachesClientByteIdentical(int size) throws Exception {
        long seed = 7L * size + 2;
        try (TestClient client = TestClient.connect(fixture.uri("/ws/control"))) {
            client.sendText("send-binary " + size + " " + seed);
            TestClient.Message received = client.next(LARGE_MESSAGE_WAIT);
            assertFalse(received.text, "expected a binary message but got " + received);
            assertEquals(size, received.data.length, "bytes received");
            assertEquals(Payloads.sha256(Payloads.binary(size, seed)), Payloads.sha256(received.data));
        }
    }
}
