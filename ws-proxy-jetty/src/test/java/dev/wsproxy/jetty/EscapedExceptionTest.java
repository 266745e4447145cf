package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyConnection;
import dev.wsproxy.ProxyListener;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.TestClient;
import jakarta.websocket.CloseReason;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Whatever escapes a relay callback ends that connection: both sides get 1011 and the log one WARN line with
 * the connection id, rather than a container swallowing it and the relay living on half dead.
 */
class EscapedExceptionTest {

    /** Listener exceptions are caught as RuntimeExceptions; an Error gets past that into the relay's callback. */
    private static final class ThrowingOnOpen implements ProxyListener {
        @Override
        public void onOpen(ProxyConnection connection) {
            throw new AssertionError("boom in onOpen");
        }
    }

    @Test
    void errorEscapingACallbackClosesBothSidesWith1011AndLogsOneWarnLine() throws Exception {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                .listener(new ThrowingOnOpen())
                .build())) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try (TestClient client = TestClient.connect(f.uri("/ws/echo"))) {
                TestClient.Close atClient = client.awaitClose(Duration.ofSeconds(10));
                assertEquals(1011, atClient.code, atClient::toString);
                assertEquals("proxy error in client onOpen", atClient.reason);
                CloseReason atBackend = f.backend.takeClose();
                assertEquals(1011, atBackend.getCloseCode().getCode());
            } finally {
                System.setErr(originalErr);
            }
            long warnLines = Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\n"))
                    .filter(line -> line.contains(" WARN ") && line.contains("client onOpen threw")).count();
            assertEquals(1, warnLines, captured::toString);
            assertTrue(captured.toString(StandardCharsets.UTF_8).contains("[ws-"), captured::toString);
        }
    }
}
