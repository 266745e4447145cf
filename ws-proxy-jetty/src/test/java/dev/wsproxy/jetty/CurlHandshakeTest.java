package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wsproxy.testing.RawHttp;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The handshake from the issue, as curl sends it: {@code curl -i -N -H "Connection: Upgrade" -H "Upgrade:
 * websocket" -H "Sec-WebSocket-Version: 13" -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
 * http://127.0.0.1:PORT/ws/echo}: the same bytes from a raw socket, and real curl when it is installed.
 */
class CurlHandshakeTest {

    private static ProxyFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = ProxyFixture.start();
    }

    @AfterAll
    static void stop() throws Exception {
        f.close();
    }

    /** Exactly what curl 7.88 writes for the command above. */
    private static String[] curlBytes(String key) {
        return new String[] {"GET /ws/echo HTTP/1.1", "Host: 127.0.0.1:" + f.server.port(),
            "User-Agent: curl/7.88.1", "Accept: */*", "Connection: Upgrade", "Upgrade: websocket",
            "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + key};
    }

    @Test
    void curlHandshakeIsSwitched() throws Exception {
        RawHttp.Response response = RawHttp.exchange(f.server.port(), curlBytes(Handshakes.KEY));
        assertEquals("HTTP/1.1 101 Switching Protocols", response.statusLine);
        assertEquals(Handshakes.ACCEPT, response.header("Sec-WebSocket-Accept"));
        assertEquals("/echo", f.backend.takeHandshake().path);
    }

    @Test
    void curlHandshakeWithKeyTestIsRefusedWithReason() throws Exception {
        RawHttp.Response response = RawHttp.exchange(f.server.port(), curlBytes("test"));
        assertEquals(400, response.status);
        assertTrue(response.body.contains("'Sec-WebSocket-Key' to be 16 bytes in base64"), response.body);
        assertEquals(0, f.backend.pendingHandshakes());
    }

    @Test
    void realCurlGets101() throws Exception {
        List<String> output = curl(Handshakes.KEY);
        assertTrue(output.contains("HTTP/1.1 101 Switching Protocols"), output.toString());
        f.backend.takeHandshake();
    }

    @Test
    void realCurlWithKeyTestGets400AndReason() throws Exception {
        List<String> output = curl("test");
        assertTrue(output.contains("HTTP/1.1 400 Bad Request"), output.toString());
        assertTrue(output.stream().anyMatch(l -> l.contains("16 bytes in base64")), output.toString());
    }

    /**
     * Runs curl and reads its output up to the end, or up to the 101 line (curl then waits for a final
     * response). {@code -v} because curl prints a 1xx head on stdout only when it exits; its trace on
     * stderr ({@code "< HTTP/1.1 101 ..."}) comes at once.
     */
    private static List<String> curl(String key) throws Exception {
        assumeTrue(new File("/usr/bin/curl").canExecute() || new File("/bin/curl").canExecute(), "curl not installed");
        Process curl = new ProcessBuilder("curl", "-i", "-N", "-s", "-v", "--max-time", "20",
                "-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13",
                "-H", "Sec-WebSocket-Key: " + key, "http://127.0.0.1:" + f.server.port() + "/ws/echo")
                .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(curl.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                String text = line.startsWith("< ") ? line.substring(2).strip() : line.strip();
                lines.add(text);
                if (text.startsWith("HTTP/1.1 101")) {
                    break;
                }
            }
        } finally {
            curl.destroy();
            curl.waitFor(5, TimeUnit.SECONDS);
        }
        assumeTrue(!lines.isEmpty(), "curl printed nothing");
        return lines;
    }
}
