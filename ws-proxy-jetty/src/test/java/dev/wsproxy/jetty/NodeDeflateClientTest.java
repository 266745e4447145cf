package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyConnection;
import dev.wsproxy.ProxyListener;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate through the tunnel with a client that shares no code with the JVM side: Node.js's
 * {@code ws} package (zlib's deflate, {@code src/test/node/deflate-client.js}) against the stock Jetty
 * {@code Backend}. The offer reaches the upstream, the upstream's answer reaches the client, and a 4 MiB
 * compressible text, 3 MiB of random binary and 1 Mi random characters (multi-byte among them) come back intact
 * (SHA-256 on the client); the proxy's byte counters show they crossed it compressed.
 *
 * <p>Needs {@code node} and the {@code ws} package: {@code npm ci --prefix ws-proxy-jetty/src/test/node}, which
 * {@code .ci/run} does. Without them the test is skipped with that instruction.
 */
class NodeDeflateClientTest {

    private static final Path NODE_DIR = Path.of("src", "test", "node");
    private static final Pattern ECHO = Pattern.compile(
            "\"kind\":\"([^\"]+)\",\"size\":(\\d+),\"binary\":(true|false),\"sent\":\"([0-9a-f]+)\",\"got\":\"([0-9a-f]+)\"");

    @Test
    void nodeClientNegotiatesDeflateEndToEndAndLargeMessagesRoundTripIntact() throws Exception {
        Assumptions.assumeTrue(nodeWorks(), "node is not installed: this test needs Node.js and"
                + " `npm ci --prefix ws-proxy-jetty/src/test/node`");
        Assumptions.assumeTrue(Files.isRegularFile(NODE_DIR.resolve("node_modules/ws/package.json")),
                "the Node.js 'ws' package is not installed: run `npm ci --prefix ws-proxy-jetty/src/test/node`");
        CompletableFuture<ProxyConnection> opened = new CompletableFuture<>();
        CompletableFuture<ProxyConnection> closed = new CompletableFuture<>();
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/"))
                        .relayMode(ProxyRoute.RelayMode.TUNNEL).build())
                .listener(new ProxyListener() {
                    @Override
                    public void onOpen(ProxyConnection connection) {
                        opened.complete(connection);
                    }

                    @Override
                    public void onClosed(ProxyConnection connection, int code, String reason, boolean byClient) {
                        closed.complete(connection);
                    }
                })
                .build())) {
            List<String> lines = runClient(f.uri("/ws/deflate/control"));
            String all = String.join("\n", lines);

            assertTrue(lines.get(0).contains("\"event\":\"open\"") && lines.get(0).contains("permessage-deflate"),
                    "the client's 101 carries the upstream's permessage-deflate answer:\n" + all);
            assertTrue(f.backend.takeHandshake().header("Sec-WebSocket-Extensions").contains("permessage-deflate"),
                    "the client's offer reached the upstream");
            assertTrue(all.contains("{\"event\":\"upstream-extensions\",\"text\":\"permessage-deflate\"}"),
                    "negotiated at the upstream:\n" + all);

            long uncompressed = 0;
            int echoes = 0;
            for (String line : lines) {
                Matcher echo = ECHO.matcher(line);
                if (echo.find()) {
                    echoes++;
                    uncompressed += Long.parseLong(echo.group(2));
                    assertEquals(echo.group(4), echo.group(5), echo.group(1) + " came back changed: " + line);
                    assertEquals(echo.group(1).equals("random-binary"), Boolean.parseBoolean(echo.group(3)),
                            "the message kind survived: " + line);
                }
            }
            assertEquals(3, echoes, "three messages echoed:\n" + all);
            assertTrue(lines.get(lines.size() - 1).startsWith("{\"event\":\"close\",\"code\":1000"),
                    "the upstream's close reached the client:\n" + all);

            ProxyConnection connection = closed.get(10, TimeUnit.SECONDS);
            assertTrue(opened.isDone());
            // 4 MiB of repeated text deflates to a few KiB: without compression the tunnel would count at least
            // the uncompressed sizes; with it, more than 3.5 MiB less each way
            long saved = 7 * 512 * 1024;
            assertTrue(connection.clientToUpstreamBytes() < uncompressed - saved, "client to upstream: "
                    + connection.clientToUpstreamBytes() + " payload bytes for " + uncompressed + " uncompressed");
            assertTrue(connection.upstreamToClientBytes() < uncompressed - saved, "upstream to client: "
                    + connection.upstreamToClientBytes() + " payload bytes for " + uncompressed + " uncompressed");
        }
    }

    private static List<String> runClient(String url) throws IOException, InterruptedException {
        Process node = new ProcessBuilder("node", "deflate-client.js", url)
                .directory(NODE_DIR.toFile()).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(),
                StandardCharsets.UTF_8))) {
            // a few short lines: they fit the pipe, so the client never waits for this reader
            if (!node.waitFor(90, TimeUnit.SECONDS)) {
                node.destroyForcibly();
                throw new AssertionError("the node client did not finish within 90 s");
            }
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
        }
        assertEquals(0, node.exitValue(), "the node client failed:\n" + String.join("\n", lines));
        return lines;
    }

    private static boolean nodeWorks() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
