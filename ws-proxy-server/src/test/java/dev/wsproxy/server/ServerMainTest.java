package dev.wsproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line in process: argument handling, --check-config, and a started server relaying. */
class ServerMainTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private ServerMain.Started run(String... args) {
        return ServerMain.start(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path config(String... lines) throws Exception {
        Path file = dir.resolve("proxy.properties");
        Files.write(file, List.of(lines));
        return file;
    }

    @Test
    void checkConfigValidatesWithoutBinding() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            // the port is taken: starting would fail, checking must not try
            Path file = config("listen.http = 127.0.0.1:" + taken.getLocalPort(), "routes = a",
                    "route.a.prefix = /ws/", "route.a.upstream = ws://127.0.0.1:1/");
            ServerMain.Started started = run("--config", file.toString(), "--check-config");
            assertNull(started.server);
            assertEquals(ServerMain.OK, started.exitCode, err::toString);
            assertTrue(out.toString(StandardCharsets.UTF_8).contains(": OK (routes: a"), out::toString);
        }
    }

    @Test
    void aBrokenFileExitsWith2AndPrintsEachErrorWithFileAndLine() throws Exception {
        Path file = config("listen.http = 127.0.0.1:0", "routes = a", "route.a.prefix = /ws/",
                "route.a.upstream = ftp://x/", "route.a.idle-timeout = later");
        ServerMain.Started started = run("--config=" + file, "--check-config");
        assertEquals(ServerMain.BAD_CONFIG, started.exitCode);
        String printed = err.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains(file + ":4: "), printed);
        assertTrue(printed.contains(file + ":5: route.a.idle-timeout must be a duration"), printed);
        assertTrue(printed.contains("2 error(s) in"), printed);
    }

    @Test
    void missingConfigArgumentIsAUsageError() {
        assertEquals(ServerMain.BAD_CONFIG, run().exitCode);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: java -jar ws-proxy-server.jar"));
    }

    @Test
    void aTakenPortExitsWith1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path file = config("listen.http = 127.0.0.1:" + taken.getLocalPort(), "routes = a",
                    "route.a.prefix = /ws/", "route.a.upstream = ws://127.0.0.1:1/");
            assertEquals(ServerMain.START_FAILED, run("--config", file.toString()).exitCode);
        }
    }

    @Test
    void startedServerRelaysAndClosingDrainsWith1001() throws Exception {
        try (Backend backend = Backend.start()) {
            Path file = config("listen.http = 127.0.0.1:0", "routes = echo", "route.echo.prefix = /ws/",
                    "route.echo.upstream = " + backend.uri("/"), "drain-timeout = 5s");
            ServerMain.Started started = run("--config", file.toString());
            assertEquals(ServerMain.OK, started.exitCode, err::toString);
            try (StandaloneServer server = started.server;
                 TestClient client = TestClient.connect("ws://127.0.0.1:" + server.httpPort() + "/ws/echo")) {
                client.sendText("through the server");
                assertEquals("through the server", client.next().asText());
                server.close();
                TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
                assertEquals(1001, close.code);
                assertEquals("proxy shutting down", close.reason);
            }
        }
    }
}
