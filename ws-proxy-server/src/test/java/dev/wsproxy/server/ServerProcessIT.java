package dev.wsproxy.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution end to end: {@code java -jar target/ws-proxy-server.jar} (with {@code target/lib/}) as a
 * separate process, a real backend and client, then SIGTERM ({@link Process#destroy()} on Linux). Runs after
 * {@code package} (failsafe).
 */
class ServerProcessIT {

    private static final Pattern LISTENING = Pattern.compile("listening on http port (\\d+)");
    private static final Path JAR = Path.of("target", "ws-proxy-server.jar");

    @TempDir
    Path dir;

    private Process process;
    private Path log;

    @AfterEach
    void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private void start(String... args) throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " is missing: run mvn package first");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        // to a file rather than a pipe: a pipe read after the process exited can lose its last lines
        log = dir.resolve("server.log");
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The first output line matching {@code pattern}, waiting at most 30 s. */
    private Matcher awaitLine(Pattern pattern) {
        Matcher[] found = new Matcher[1];
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        found[0] = m;
                        return true;
                    }
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no line matching " + pattern + " within 30 s; output:\n" + output(), e);
        }
        return found[0];
    }

    private String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Test
    void theJarProxiesAndDrainsOnSigterm() throws Exception {
        try (Backend backend = Backend.start()) {
            Path config = dir.resolve("proxy.properties");
            Files.write(config, List.of("listen.http = 127.0.0.1:0", "routes = echo", "route.echo.prefix = /ws/",
                    "route.echo.upstream = " + backend.uri("/"), "drain-timeout = 5s"));
            start("--config", config.toString());
            int port = Integer.parseInt(awaitLine(LISTENING).group(1));
            try (TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/ws/echo")) {
                client.sendText("through the jar");
                assertEquals("through the jar", client.next().asText());
                process.destroy(); // SIGTERM
                TestClient.Close close = client.awaitClose(Duration.ofSeconds(15));
                assertEquals(1001, close.code);
                assertEquals("proxy shutting down", close.reason);
            }
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), () -> "the server did not exit after SIGTERM:\n" + output());
            assertEquals(143, process.exitValue(), () -> "128 + SIGTERM, the JVM's code after its shutdown hooks ran:\n" + output());
            awaitLine(Pattern.compile("INFO ServerMain - stopped"));
        }
    }

    @Test
    void checkConfigPrintsEachErrorWithItsLineAndExits2() throws Exception {
        Path config = dir.resolve("broken.properties");
        Files.write(config, List.of("listen.http = 127.0.0.1:0", "routes = echo", "route.echo.prefix = /ws/",
                "route.echo.upstream = http://b:80/", "route.echo.ping-interval = often"));
        start("--config", config.toString(), "--check-config");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), this::output);
        assertEquals(2, process.exitValue(), this::output);
        awaitLine(Pattern.compile(Pattern.quote(config + ":4: ") + ".*upstream must be ws:// or wss://"));
        awaitLine(Pattern.compile(Pattern.quote(config + ":5: route.echo.ping-interval must be a duration")));
    }
}
