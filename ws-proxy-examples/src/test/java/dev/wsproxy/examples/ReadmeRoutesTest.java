package dev.wsproxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.jetty.JettyProxyServer;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The README's path-rewriting table, row by row, through a real proxy to a real backend. */
class ReadmeRoutesTest {

    private static Backend backend;

    @BeforeAll
    static void startBackend() throws Exception {
        backend = Backend.start();
    }

    @AfterAll
    static void stopBackend() throws Exception {
        backend.close();
    }

    @ParameterizedTest(name = "{0}(\"{1}\") -> ws://b{2}: {3} reaches {4}")
    @CsvSource(delimiter = '|', value = {
        "prefix | /ws/              | /           | /ws/chat?room=1 | /chat?room=1",
        "prefix | /ws/              | /api/       | /ws/chat        | /api/chat",
        "prefix | /ws/              | ''          | /ws/chat?room=1 | /ws/chat?room=1",
        "exact  | /live             | /stream     | /live?x=1       | /stream?x=1",
        "regex  | ^/rooms/([^/]+)$  | /room/$1    | /rooms/42       | /room/42",
        "regex  | ^/rooms/([^/]+)$  | ''          | /rooms/42       | /rooms/42",
    })
    void upstreamRequestPath(String kind, String pattern, String upstreamPath, String request, String expected)
            throws Exception {
        ProxyRoute.Builder route = kind.equals("prefix") ? ProxyRoute.prefix(pattern)
                : kind.equals("exact") ? ProxyRoute.exact(pattern) : ProxyRoute.regex(pattern);
        String upstream = "ws://127.0.0.1:" + backend.port() + upstreamPath;
        try (WebSocketProxy proxy = WebSocketProxy.builder().route(route.upstream(upstream).build()).build();
             JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0));
             TestClient client = TestClient.connect("ws://127.0.0.1:" + server.port() + request)) {
            Backend.Recorded seen = backend.takeHandshake();
            assertEquals(expected, seen.path + (seen.query == null ? "" : "?" + seen.query));
        }
    }
}
