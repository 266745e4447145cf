package dev.wsproxy.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.jetty.JettyProxyServer;
import dev.wsproxy.testing.Backend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code ws-proxy check} against real servers on 127.0.0.1: ws-proxy in front of an echo backend (everything
 * passes, exit 0), a server that answers 400, one that drops connections idle for 2 s, a closed port, and (in
 * {@link ExpiredCertificateCheckTest}) a TLS server with an expired certificate.
 */
class WebSocketCheckTest {

    private record Run(int status, String out) {
    }

    private static Run check(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = CheckMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyStepPassesThroughWsProxyToAnEchoBackend() throws Exception {
        try (Backend backend = Backend.start();
             WebSocketProxy proxy = WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).build();
             JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0))) {
            Run run = check("ws://127.0.0.1:" + server.port() + "/ws/echo", "--subprotocol", "chat.v1",
                    "--idle", "1s");
            assertEquals(0, run.status(), run.out());
            assertTrue(line(run.out(), "✓ idle").contains("still open after 1 s idle"), run.out());
            for (String step : List.of("dns", "tcp", "upgrade", "accept", "subprotocol", "echo", "ping", "idle",
                    "close")) {
                assertTrue(run.out().contains("✓ " + step), step + " missing in\n" + run.out());
            }
            assertFalse(run.out().contains("✗"), run.out());
        }
    }

    @Test
    void a400NamesTheDroppedUpgradeHeadersAndShowsTheBody() throws Exception {
        try (RawServer server = RawServer.answering("HTTP/1.1 400 Bad Request\r\nServer: some-proxy\r\n"
                + "Content-Length: 23\r\nConnection: close\r\n\r\nCan \"Upgrade\" only to")) {
            Run run = check("ws://127.0.0.1:" + server.port() + "/ws/echo");
            assertEquals(1, run.status(), run.out());
            String upgrade = line(run.out(), "✗ upgrade");
            assertTrue(upgrade.contains("HTTP/1.1 400 Bad Request"), upgrade);
            assertTrue(upgrade.contains("Can \"Upgrade\" only to"), upgrade);
            assertTrue(upgrade.contains("proxy_set_header Upgrade"), upgrade);
            assertTrue(run.out().contains("✓ tcp"), run.out());
        }
    }

    @Test
    void aServerThatDropsIdleConnectionsFailsTheIdleStep() throws Exception {
        try (RawServer server = RawServer.droppingIdleAfter(java.time.Duration.ofSeconds(2))) {
            Run run = check("ws://127.0.0.1:" + server.port() + "/ws/echo", "--idle", "3s");
            assertEquals(1, run.status(), run.out());
            assertTrue(run.out().contains("✓ echo"), run.out());
            assertTrue(run.out().contains("✓ ping"), run.out());
            String idle = line(run.out(), "✗ idle");
            // the server's 2 s count from its own last write (the pong), a little before the check's idle starts
            java.util.regex.Matcher after = java.util.regex.Pattern.compile("dropped after (\\d+\\.\\d+) s").matcher(idle);
            assertTrue(after.find(), idle);
            double seconds = Double.parseDouble(after.group(1));
            assertTrue(seconds > 1.5 && seconds < 2.9, idle);
            assertTrue(idle.contains("proxy_read_timeout"), idle);
            assertFalse(run.out().contains("close"), "no close step after the connection was lost:\n" + run.out());
        }
    }

    @Test
    void withoutIdleTheSameServerPasses() throws Exception {
        try (RawServer server = RawServer.droppingIdleAfter(java.time.Duration.ofSeconds(2))) {
            Run run = check("ws://127.0.0.1:" + server.port() + "/", "--json");
            assertEquals(0, run.status(), run.out());
            assertTrue(run.out().startsWith("{\"url\":\"ws://127.0.0.1:"), run.out());
            assertTrue(run.out().contains("\"ok\":true"), run.out());
            assertTrue(run.out().contains("{\"name\":\"close\",\"ok\":true"), run.out());
        }
    }

    @Test
    void aClosedPortFailsTheTcpStepWithTheFix() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        WebSocketCheck check = new WebSocketCheck(java.net.URI.create("ws://127.0.0.1:" + port + "/"));
        CheckReport report = check.run();
        assertFalse(report.ok());
        CheckReport.Step tcp = report.step("tcp");
        assertFalse(tcp.ok());
        assertTrue(tcp.fix().contains("nothing listens on port " + port), tcp.fix());
        assertNull(report.step("upgrade"));
        assertNotNull(report.step("dns"));
    }

    @Test
    void usageErrorsExitWith2() {
        assertEquals(2, check().status());
        assertEquals(2, check("http://x/", "--idle", "soon").status());
        assertEquals(2, check("ftp://x/").status());
    }

    static String line(String out, String start) {
        return out.lines().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting '" + start + "' in\n" + out));
    }
}
