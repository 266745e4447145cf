package dev.wsproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation of the server's configuration file: every error, each on its line. */
class ServerConfigTest {

    @TempDir
    Path dir;

    private Path write(String... lines) throws IOException {
        Path file = dir.resolve("proxy.properties");
        Files.write(file, List.of(lines));
        return file;
    }

    private List<ConfigProblem> problems(String... lines) throws IOException {
        Path file = write(lines);
        return assertThrows(ConfigException.class, () -> ServerConfig.load(file)).problems();
    }

    private static String summary(List<ConfigProblem> problems) {
        return problems.stream().map(p -> p.line() + ": " + p.message()).collect(Collectors.joining("\n"));
    }

    @Test
    void everyErrorIsReportedOnItsLine() throws IOException {
        List<ConfigProblem> problems = problems(
                "# a proxy",                                     // 1
                "routes = chat, feed",                           // 2
                "route.chat.prefix = /ws/chat/",                 // 3
                "route.chat.upstream = ws://chat:8080/",         // 4
                "route.chat.connect-timeout = soon",             // 5
                "route.feed.exact = /live",                      // 6
                "route.feed.upstream = http://feed:9000/",       // 7
                "route.other.prefix = /x/",                      // 8
                "listen.http = localhost",                       // 9
                "drain-timeot = 5s",                             // 10
                "http2 = yes",                                   // 11
                "tls.private-key = key.pem",                     // 12
                "route.chat.prefix = /ws/chat2/");               // 13
        String all = summary(problems);
        assertEquals(List.of(5, 7, 8, 9, 10, 11, 12, 13),
                problems.stream().map(ConfigProblem::line).collect(Collectors.toList()), all);
        assertTrue(problems.get(0).message().contains("route.chat.connect-timeout must be a duration but was 'soon'"), all);
        assertTrue(problems.get(1).message().contains("upstream must be ws:// or wss://"), all);
        assertTrue(problems.get(2).message().contains("'route.other.prefix' belongs to route 'other'"), all);
        assertTrue(problems.get(3).message().contains("listen.http must be host:port but was 'localhost'"), all);
        assertTrue(problems.get(4).message().contains("unknown key 'drain-timeot'"), all);
        assertTrue(problems.get(5).message().contains("http2 must be true or false but was 'yes'"), all);
        assertTrue(problems.get(6).message().contains("there is no listen.https"), all);
        assertTrue(problems.get(7).message().contains("route.chat.prefix is already set on line 3"), all);
    }

    @Test
    void aRouteMissingItsUpstreamIsReportedOnTheRoutesFirstLine() throws IOException {
        List<ConfigProblem> problems = problems("listen.http = 127.0.0.1:0", "routes = a, b",
                "route.a.prefix = /a/", "route.b.prefix = /b/");
        assertEquals(List.of(3, 4), problems.stream().map(ConfigProblem::line).collect(Collectors.toList()),
                summary(problems));
        assertTrue(problems.get(1).message().contains("route.b.upstream is missing"), summary(problems));
    }

    @Test
    void aFileWithoutRoutesOrListenersSaysWhatToAdd() throws IOException {
        String all = summary(problems("# empty"));
        assertTrue(all.contains("0: no listen address (add listen.http = 0.0.0.0:8080"), all);
        assertTrue(all.contains("0: 'routes' is missing"), all);
    }

    @Test
    void tlsFilesAreResolvedAgainstTheConfigFilesDirectory() throws IOException {
        Files.writeString(dir.resolve("chain.pem"), "not checked until start");
        List<ConfigProblem> problems = problems("listen.https = 127.0.0.1:0", "tls.certificate-chain = chain.pem",
                "tls.private-key = missing.pem", "routes = a", "route.a.prefix = /", "route.a.upstream = ws://b:1/");
        assertEquals(1, problems.size(), summary(problems));
        assertEquals(3, problems.get(0).line());
        assertTrue(problems.get(0).message().contains("tls.private-key 'missing.pem' is not a readable file (looked at "
                + dir.toAbsolutePath().resolve("missing.pem")), summary(problems));
    }

    @Test
    void aValidFileGivesProxyAndServerSettings() throws Exception {
        ServerConfig config = ServerConfig.load(write("listen.http = [::1]:0", "http2 = false", "log-level = DEBUG",
                "routes = a", "route.a.prefix = /ws/", "route.a.upstream = ws://b:1/", "drain-timeout = 2s"));
        assertEquals(java.net.InetAddress.getByName("::1"), config.http.getAddress());
        assertNull(config.https);
        assertEquals(false, config.http2);
        assertEquals("debug", config.logLevel);
        assertEquals("2s", config.proxyProperties.getProperty("drain-timeout"));
        assertNull(config.proxyProperties.getProperty("listen.http"), "server keys are not passed to the proxy");
    }

    @Test
    void acceptQueueSizeDefaultsTo1024AndRefusesNonPositiveValuesOnItsLine() throws Exception {
        ServerConfig config = ServerConfig.load(write("listen.http = 127.0.0.1:0", "routes = a",
                "route.a.prefix = /ws/", "route.a.upstream = ws://b:1/"));
        assertEquals(1024, config.acceptQueueSize);
        assertEquals(4096, ServerConfig.load(write("listen.http = 127.0.0.1:0", "accept-queue-size = 4096",
                "routes = a", "route.a.prefix = /ws/", "route.a.upstream = ws://b:1/")).acceptQueueSize);
        List<ConfigProblem> problems = problems("listen.http = 127.0.0.1:0", "accept-queue-size = 0", "routes = a",
                "route.a.prefix = /ws/", "route.a.upstream = ws://b:1/");
        assertEquals(1, problems.size(), summary(problems));
        assertEquals(2, problems.get(0).line());
        assertTrue(problems.get(0).message().contains("accept-queue-size must be a positive number but was '0'"),
                summary(problems));
    }

    @Test
    void twoRoutesForTheSamePathAreReportedOnTheRoutesLine() throws IOException {
        List<ConfigProblem> problems = problems("listen.http = 127.0.0.1:0", "routes = a, b",
                "route.a.prefix = /ws/", "route.a.upstream = ws://b:1/",
                "route.b.prefix = /ws/", "route.b.upstream = ws://c:1/");
        assertEquals(1, problems.size(), summary(problems));
        assertEquals(2, problems.get(0).line());
        assertTrue(problems.get(0).message().contains("two routes for prefix '/ws/'"), summary(problems));
    }
}
