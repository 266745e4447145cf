package dev.wsproxy.jetty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.Payloads;
import dev.wsproxy.testing.RawWebSocket;
import dev.wsproxy.testing.TestClient;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A message the client sends as several frames is relayed part by part and comes back from the echoing
 * backend as the same message, whatever the frame boundaries, including boundaries inside a UTF-8
 * character (RFC 6455 section 5.6 allows that; only the whole message must be valid UTF-8).
 */
class FragmentedMessageTest {

    /** 1-, 2-, 3- and 4-byte UTF-8 characters: a, é, 日, 😀 (11 bytes). */
    private static final String MIXED = "a\u00e9\u65e5\ud83d\ude00z";

    private static ProxyFixture fixture;

    @BeforeAll
    static void startProxy() throws Exception {
        fixture = ProxyFixture.start();
    }

    @AfterAll
    static void stopProxy() throws Exception {
        fixture.close();
    }

    @Test
    void textSentInFragmentsIsEchoedIntact() throws Exception {
        // boundaries right before and after multi-byte characters, and an empty fragment
        String[] parts = {"h\u00e9", "\u00e9llo \u65e5", "", "\u672c\ud83d\ude00", "\ud83d\ude00 w\u00f6rld", "!"};
        try (TestClient client = TestClient.connect(fixture.uri("/ws/echo"))) {
            client.sendTextFragments(parts);
            TestClient.Message echoed = client.next();
            assertTrue(echoed.text, "expected text but got " + echoed);
            assertEquals(String.join("", parts), echoed.asText());
        }
    }

    @Test
    void binarySentInFragmentsIsEchoedIntact() throws Exception {
        byte[] whole = Payloads.binary(3 * 65536 + 17, 42);
        byte[][] parts = {
            Arrays.copyOfRange(whole, 0, 1),
            Arrays.copyOfRange(whole, 1, 1),
            Arrays.copyOfRange(whole, 1, 65537),
            Arrays.copyOfRange(whole, 65537, whole.length)};
        try (TestClient client = TestClient.connect(fixture.uri("/ws/echo"))) {
            client.sendBinaryFragments(parts);
            TestClient.Message echoed = client.next();
            assertFalse(echoed.text, "expected binary but got " + echoed);
            assertArrayEquals(whole, echoed.data);
        }
    }

    @Test
    void largeBinarySentInUnevenFragmentsIsEchoedIntact() throws Exception {
        byte[] whole = Payloads.binary(8 * 1024 * 1024 + 3, 43);
        byte[][] parts = {
            Arrays.copyOfRange(whole, 0, 5 * 1024 * 1024 + 1),
            Arrays.copyOfRange(whole, 5 * 1024 * 1024 + 1, 5 * 1024 * 1024 + 2),
            Arrays.copyOfRange(whole, 5 * 1024 * 1024 + 2, whole.length)};
        try (TestClient client = TestClient.connect(fixture.uri("/ws/echo"))) {
            client.sendBinaryFragments(parts);
            TestClient.Message echoed = client.next();
            assertEquals(whole.length, echoed.data.length);
            assertEquals(Payloads.sha256(whole), Payloads.sha256(echoed.data));
        }
    }

    @Test
    void textSplitInsideEveryCharacterIsEchoedIntact() throws Exception {
        byte[] utf8 = MIXED.getBytes(UTF_8);
        try (RawWebSocket client = RawWebSocket.connect(fixture.server.port(), "/ws/echo")) {
            for (int split = 1; split < utf8.length; split++) {
                client.sendFragments(RawWebSocket.TEXT,
                        Arrays.copyOfRange(utf8, 0, split), Arrays.copyOfRange(utf8, split, utf8.length));
                assertEquals(MIXED, new String(client.readMessage(), UTF_8), "split at byte " + split);
            }
        }
    }

    @Test
    void textSentOneBytePerFrameIsEchoedIntact() throws Exception {
        byte[] utf8 = MIXED.getBytes(UTF_8);
        byte[][] parts = new byte[utf8.length][];
        for (int i = 0; i < utf8.length; i++) {
            parts[i] = new byte[] {utf8[i]};
        }
        try (RawWebSocket client = RawWebSocket.connect(fixture.server.port(), "/ws/echo")) {
            client.sendFragments(RawWebSocket.TEXT, parts);
            assertEquals(MIXED, new String(client.readMessage(), UTF_8));
        }
    }

    @Test
    void longTextSplitAtRandomBytesIsEchoedIntact() throws Exception {
        String text = Payloads.text(300_000, 44);
        byte[] utf8 = text.getBytes(UTF_8);
        SplittableRandom random = new SplittableRandom(45);
        int[] cuts = random.ints(12, 1, utf8.length).sorted().distinct().toArray();
        byte[][] parts = new byte[cuts.length + 1][];
        int from = 0;
        for (int i = 0; i < cuts.length; i++) {
            parts[i] = Arrays.copyOfRange(utf8, from, cuts[i]);
            from = cuts[i];
        }
        parts[cuts.length] = Arrays.copyOfRange(utf8, from, utf8.length);
        try (RawWebSocket client = RawWebSocket.connect(fixture.server.port(), "/ws/echo")) {
            client.sendFragments(RawWebSocket.TEXT, parts);
            byte[] echoed = client.readMessage();
            assertEquals(Payloads.sha256(utf8), Payloads.sha256(echoed), "cut at " + Arrays.toString(cuts));
        }
    }
}
