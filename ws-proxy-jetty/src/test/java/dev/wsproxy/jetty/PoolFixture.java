package dev.wsproxy.jetty;

import dev.wsproxy.ProxyConnection;
import dev.wsproxy.ProxyListener;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.UpstreamPool;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Real backends on 127.0.0.1 behind a proxy whose {@code /ws/} route is a pool, served by a standalone Jetty
 * proxy server; records which member served each opened connection (from the listener). Closes everything.
 */
final class PoolFixture implements AutoCloseable {

    final List<Backend> backends = new ArrayList<>();
    final WebSocketProxy proxy;
    final JettyProxyServer server;
    /** Member that served each connection id, as the listener saw it at open. */
    final Map<String, String> servedBy = new ConcurrentHashMap<>();
    final List<String> opened = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<String> refusals = java.util.Collections.synchronizedList(new ArrayList<>());

    /**
     * @param backendCount live backends to start
     * @param route builds the pool route for {@code /ws/} from the backends
     */
    PoolFixture(int backendCount, Function<List<Backend>, ProxyRoute> route) throws Exception {
        this(backendCount, route, b -> { });
    }

    PoolFixture(int backendCount, Function<List<Backend>, ProxyRoute> route, Consumer<WebSocketProxy.Builder> extra)
            throws Exception {
        for (int i = 0; i < backendCount; i++) {
            backends.add(Backend.start());
        }
        WebSocketProxy.Builder builder = WebSocketProxy.builder().route(route.apply(backends)).listener(
                new ProxyListener() {
                    @Override
                    public void onOpen(ProxyConnection connection) {
                        servedBy.put(connection.id(), connection.upstreamMember());
                        opened.add(connection.upstreamMember());
                    }

                    @Override
                    public void onRefused(dev.wsproxy.HandshakeRequest request, int status, String reason) {
                        refusals.add(status + " " + reason);
                    }
                });
        extra.accept(builder);
        proxy = builder.build();
        server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0));
    }

    /** Member name of backend {@code i}: {@code ws://127.0.0.1:port/}. */
    String member(int i) {
        return backends.get(i).uri("/");
    }

    UpstreamPool pool() {
        return proxy.pool("/ws/");
    }

    /** Opens a client on the proxy and returns it with the member that served it (one opener at a time). */
    Served open(String path, String... headers) {
        int before = opened.size();
        TestClient client = TestClient.connect("ws://127.0.0.1:" + server.port() + path, headers);
        awaitOpened(before);
        return new Served(client, opened.get(before));
    }

    private void awaitOpened(int before) {
        org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ZERO).pollInterval(java.time.Duration.ofMillis(1))
                .atMost(java.time.Duration.ofSeconds(5)).until(() -> opened.size() > before);
    }

    /**
     * A raw handshake on the proxy (the socket is dropped after the 101 head); the member that served it.
     *
     * @param headers name, value, name, value...
     */
    String once(String path, String... headers) throws java.io.IOException {
        int before = opened.size();
        List<String> lines = new ArrayList<>(List.of("GET " + path + " HTTP/1.1", "Host: 127.0.0.1:" + server.port(),
                "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                "Sec-WebSocket-Version: 13"));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            lines.add(headers[i] + ": " + headers[i + 1]);
        }
        dev.wsproxy.testing.RawHttp.Response response = dev.wsproxy.testing.RawHttp.exchange(server.port(),
                lines.toArray(new String[0]));
        if (response.status != 101) {
            throw new AssertionError("expected 101 but got " + response);
        }
        awaitOpened(before);
        return opened.get(before);
    }

    record Served(TestClient client, String member) {
    }

    /** A port on 127.0.0.1 where nothing listens. */
    static int deadPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        proxy.close();
        for (Backend b : backends) {
            b.close();
        }
    }
}
