package dev.wsproxy.servlet.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.HandshakeDecision;
import dev.wsproxy.HandshakeRequest;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.RateLimit;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.RawHttp;
import dev.wsproxy.testing.RawUpstream;
import dev.wsproxy.testing.RawWebSocket;
import dev.wsproxy.testing.TestClient;
import jakarta.websocket.CloseReason;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The behaviour every container must show, written once and run unchanged against each one. A subclass
 * only says how to start its container with the proxy registered the way a user would register it and
 * with {@link AppServlet} mapped at {@link #APP_SERVLET_MAPPING} (the app's own servlet on a proxied path).
 *
 * <p>Routes: {@code /ws/} to a live {@link Backend}; {@code /down/} to a port nobody listens on; {@code /raw/}
 * to the raw upstream of {@link CloseCodeContract}; all in {@link #relayMode()}, so each container runs the
 * contract once per relay mode.
 * One backend, proxy and container per test class; tests share them and do not depend on order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ContainerContract implements CloseCodeContract {

    /** Where the subclass must map {@link AppServlet}; deliberately narrower than {@code /*}. */
    public static final String APP_SERVLET_MAPPING = "/ws/*";

    /** A started container; {@link #close()} stops it. */
    public interface Deployment extends AutoCloseable {
        /** The bound HTTP port on 127.0.0.1. */
        int port();
    }

    /**
     * Starts the container on 127.0.0.1, port 0, with {@code proxy} registered at the root context and
     * {@link AppServlet} mapped at {@link #APP_SERVLET_MAPPING}.
     */
    protected abstract Deployment deploy(WebSocketProxy proxy) throws Exception;

    /**
     * How the contract's routes relay: tunnel mode (the default) unless a subclass runs the same contract in
     * message mode.
     */
    protected ProxyRoute.RelayMode relayMode() {
        return ProxyRoute.RelayMode.TUNNEL;
    }

    @Override
    public boolean tunnelMode() {
        return relayMode() == ProxyRoute.RelayMode.TUNNEL;
    }

    /** The scheme clients use: {@code ws} unless a subclass terminates TLS. */
    protected String wsScheme() {
        return "ws";
    }

    protected Backend backend;
    protected RawUpstream rawUpstream;
    protected WebSocketProxy proxy;
    /** The {@code /small/} route's message limit. */
    protected static final long SMALL_MESSAGE_LIMIT = 64 * 1024;
    private static final long PACED_BYTES_PER_SECOND = 81_920;
    protected Deployment deployment;

    @Override
    public int proxyPort() {
        return deployment.port();
    }

    @Override
    public RawUpstream rawUpstream() {
        return rawUpstream;
    }

    @BeforeAll
    void startBackendProxyAndContainer() throws Exception {
        backend = Backend.start();
        rawUpstream = CloseCodeContract.startRawUpstream();
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        proxy = WebSocketProxy.builder()
                .asyncAuthorizer(ContainerContract::authorizeLater)
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).relayMode(relayMode()).build())
                .route(ProxyRoute.prefix("/down/").upstream("ws://127.0.0.1:" + closedPort + "/")
                        .connectTimeout(Duration.ofSeconds(5)).relayMode(relayMode()).build())
                .route(ProxyRoute.prefix("/raw/").upstream(rawUpstream.uri("/")).relayMode(relayMode()).build())
                .route(ProxyRoute.prefix("/limited/").upstream(backend.uri("/")).relayMode(relayMode())
                        .rateLimit(RateLimit.builder().messagesPerSecond(200).build()).build())
                .route(ProxyRoute.prefix("/small/").upstream(backend.uri("/")).relayMode(relayMode())
                        .maxMessageSize(SMALL_MESSAGE_LIMIT).build())
                // 81,920 B/s: the rate gate reads 4 KiB at a time, the size of the pool's small buffers
                .route(ProxyRoute.prefix("/paced/").upstream(backend.uri("/")).relayMode(relayMode())
                        .rateLimit(RateLimit.builder().bytesPerSecond(PACED_BYTES_PER_SECOND).build()).build())
                .build();
        deployment = deploy(proxy);
    }

    @AfterAll
    void stopAll() throws Exception {
        if (deployment != null) {
            deployment.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (rawUpstream != null) {
            rawUpstream.close();
        }
    }

    /**
     * Decides {@code /ws/authz/} handshakes 200 ms later on another thread (as a token introspection call would):
     * the request thread is released where the container allows it (Jetty) and waits elsewhere (Tomcat,
     * Undertow). Every other path is allowed at once.
     */
    private static CompletionStage<HandshakeDecision> authorizeLater(HandshakeRequest request, ProxyRoute route) {
        if (!request.path().startsWith("/ws/authz/")) {
            return CompletableFuture.completedFuture(HandshakeDecision.allow());
        }
        String token = request.header("X-Token");
        return CompletableFuture.supplyAsync(() -> "alice-token".equals(token)
                ? HandshakeDecision.allow().withUpstreamHeader("X-User-Id", "alice")
                : HandshakeDecision.unauthorized("Bearer realm=\"test\"", "a valid X-Token is required"),
                CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void asyncAuthorizerAllowsWithItsUpstreamHeader() throws Exception {
        while (backend.pendingHandshakes() > 0) {
            backend.takeHandshake(); // other tests' handshakes: the one recorded next is ours
        }
        try (TestClient client = TestClient.connect(uri("/ws/authz/echo"), "X-Token", "alice-token")) {
            client.sendText("authorized");
            assertEquals("authorized", client.next().asText());
        }
        assertEquals("alice", backend.takeHandshake().header("X-User-Id"));
    }

    @Test
    void asyncAuthorizerRefusalReachesTheClientWithoutAnUpstreamHandshake() {
        int before = backend.pendingHandshakes();
        TestClient.HandshakeFailed failure = assertThrows(TestClient.HandshakeFailed.class,
                () -> TestClient.connect(uri("/ws/authz/echo"), "X-Token", "mallory"));
        assertEquals(401, failure.status, failure.toString());
        assertEquals(before, backend.pendingHandshakes());
    }

    /** Reads paced by the rate limit resume on every container (Tomcat's reads only on its callback thread). */
    @Test
    void rateLimitedRouteRelaysEveryMessageInOrder() throws Exception {
        try (TestClient client = TestClient.connect(uri("/limited/echo"))) {
            for (int i = 0; i < 150; i++) {
                client.sendText("limited " + i);
            }
            for (int i = 0; i < 150; i++) {
                assertEquals("limited " + i, client.next(Duration.ofSeconds(10)).asText());
            }
        }
    }

    /**
     * A byte-rate-limited client reads into the rate gate's own buffer, which has the capacity of the pool's small
     * buffers here: it must never reach the pool, or the echo coming back on the same connection (and any other
     * connection) would be read into the buffer the client's next bytes go to. Every message must come back
     * intact while other connections relay beside it.
     */
    @Test
    void byteRateLimitedRouteKeepsEveryMessageIntactBesideOtherConnections() throws Exception {
        Random random = new Random(7);
        try (TestClient paced = TestClient.connect(uri("/paced/echo"));
             TestClient other = TestClient.connect(uri("/ws/echo"))) {
            List<String> pacedSent = new ArrayList<>();
            List<String> otherSent = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                pacedSent.add(i + ":" + randomText(900 + random.nextInt(600)));
                otherSent.add(i + ":" + randomText(500 + random.nextInt(3000)));
                paced.sendText(pacedSent.get(i));
                other.sendText(otherSent.get(i));
            }
            for (int i = 0; i < 40; i++) {
                assertEquals(otherSent.get(i), other.next(Duration.ofSeconds(10)).asText(), "unpaced message " + i);
            }
            for (int i = 0; i < 40; i++) {
                assertEquals(pacedSent.get(i), paced.next(Duration.ofSeconds(10)).asText(), "paced message " + i);
            }
        }
    }

    protected String uri(String path) {
        return wsScheme() + "://127.0.0.1:" + deployment.port() + path;
    }

    @Test
    void textMessagesArriveIntactIncludingOneMebibyte() throws Exception {
        try (TestClient client = TestClient.connect(uri("/ws/echo"))) {
            client.sendText("héllo ✓ 🌍");
            assertEquals("héllo ✓ 🌍", client.next().asText());
            String big = randomText(1024 * 1024);
            client.sendText(big);
            TestClient.Message echoed = client.next(Duration.ofSeconds(30));
            assertTrue(echoed.text);
            assertArrayEquals(sha256(big.getBytes(StandardCharsets.UTF_8)), sha256(echoed.data));
        }
    }

    @Test
    void binaryMessagesArriveIntactIncludingOneMebibyte() throws Exception {
        byte[] big = new byte[1024 * 1024];
        new Random(42).nextBytes(big);
        try (TestClient client = TestClient.connect(uri("/ws/echo"))) {
            client.sendBinary(new byte[] {0, 1, 2, (byte) 0xff});
            assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, client.next().data);
            client.sendBinary(big);
            TestClient.Message echoed = client.next(Duration.ofSeconds(30));
            assertEquals(false, echoed.text);
            assertArrayEquals(sha256(big), sha256(echoed.data));
        }
    }

    @Test
    protected void eightMebibyteBinaryMessageArrivesIntact() throws Exception {
        byte[] big = new byte[8 * 1024 * 1024];
        new Random(8).nextBytes(big);
        try (TestClient client = TestClient.connect(uri("/ws/echo"))) {
            client.sendBinary(big);
            TestClient.Message echoed = client.next(Duration.ofSeconds(60));
            assertEquals(false, echoed.text);
            assertEquals(big.length, echoed.data.length);
            assertArrayEquals(sha256(big), sha256(echoed.data));
        }
    }

    @Test
    void burstOfTwoHundredSmallMessagesArrivesIntactAndInOrder() throws Exception {
        Random random = new Random(200);
        byte[][] sent = new byte[200][];
        try (TestClient client = TestClient.connect(uri("/ws/echo"))) {
            // all sent before any echo is read, so many frames share the tunnel's reads and writes
            for (int i = 0; i < sent.length; i++) {
                if (i % 2 == 0) {
                    String text = "message " + i + " " + randomText(random.nextInt(2000));
                    sent[i] = text.getBytes(StandardCharsets.UTF_8);
                    client.sendText(text);
                } else {
                    sent[i] = new byte[1 + random.nextInt(2000)];
                    random.nextBytes(sent[i]);
                    client.sendBinary(sent[i]);
                }
            }
            for (int i = 0; i < sent.length; i++) {
                TestClient.Message echoed = client.next(Duration.ofSeconds(30));
                assertEquals(i % 2 == 0, echoed.text, "message " + i);
                assertArrayEquals(sent[i], echoed.data, "message " + i);
            }
        }
    }

    @Test
    void fragmentedMessageArrivesWhole() throws Exception {
        try (TestClient client = TestClient.connect(uri("/ws/echo"))) {
            client.sendTextFragments("one ", "two ", "three");
            assertEquals("one two three", client.next().asText());
        }
    }

    @Test
    void upstreamMessageSentRightAfterItsHandshakeIsNotLost() throws Exception {
        try (TestClient client = TestClient.connect(uri("/ws/greet"))) {
            assertEquals(Backend.GREETING, client.next().asText());
        }
    }

    /**
     * A client that sends its first frame in the same segment as its handshake: the container reads it with the
     * request head, and it must reach the upstream all the same (Tomcat hands such bytes back at the upgrade).
     */
    @Test
    void clientFrameSentRightBehindItsHandshakeIsNotLost() throws Exception {
        byte[] early = RawWebSocket.frame(RawWebSocket.TEXT, true, "sent early".getBytes(StandardCharsets.UTF_8));
        try (RawWebSocket client = RawWebSocket.connect(proxyPort(), "/ws/echo", early)) {
            assertEquals("sent early", new String(client.readMessage(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void subprotocolChosenByUpstreamReachesClient() throws Exception {
        try (TestClient client = TestClient.connect(uri("/ws/echo"), List.of("chat.v1", "other"))) {
            assertEquals("chat.v1", client.subprotocol());
        }
    }

    @Test
    void closeCodeAndReasonFromClientReachUpstream() throws Exception {
        TestClient client = TestClient.connect(uri("/ws/echo"));
        client.sendText("before close");
        client.next();
        client.close(4001, "client says bye");
        CloseReason seen = awaitBackendClose(4001);
        assertEquals("client says bye", seen.getReasonPhrase());
        client.close();
    }

    @Test
    void closeCodeAndReasonFromUpstreamReachClient() throws Exception {
        try (TestClient client = TestClient.connect(uri("/ws/control"))) {
            client.sendText("close 4002 upstream says bye");
            TestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertEquals(4002, close.code);
            assertEquals("upstream says bye", close.reason);
        }
    }

    @Test
    void malformedKeyGets400WithReason() throws Exception {
        RawHttp.Response response = RawHttp.exchange(deployment.port(),
                "GET /ws/echo HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: not-a-key", "Connection: close");
        assertEquals(400, response.status, response::toString);
        assertTrue(response.body.contains("Sec-WebSocket-Key"), response::toString);
    }

    @Test
    void unsupportedVersionGets426NamingVersion13() throws Exception {
        RawHttp.Response response = RawHttp.exchange(deployment.port(),
                "GET /ws/echo HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Version: 8", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Connection: close");
        assertEquals(426, response.status, response::toString);
        assertEquals("13", response.header("Sec-WebSocket-Version"), response::toString);
    }

    @Test
    void upstreamDownGets502BeforeAnyUpgrade() throws Exception {
        TestClient.HandshakeFailed failed = assertThrows(TestClient.HandshakeFailed.class,
                () -> TestClient.connect(uri("/down/chat")));
        assertEquals(502, failed.status);
    }

    @Test
    void plainHttpRequestOnProxiedPathReachesAppServlet() throws Exception {
        RawHttp.Response response = RawHttp.exchange(deployment.port(),
                "GET /ws/echo?x=1 HTTP/1.1", "Host: 127.0.0.1", "Connection: close");
        assertEquals(200, response.status, response::toString);
        assertEquals(AppServlet.BODY_PREFIX + "/ws/echo", response.body);
    }

    @Test
    void h2cUpgradeOfferOnProxiedPathReachesAppServlet() throws Exception {
        RawHttp.Response response = RawHttp.exchange(deployment.port(),
                "GET /ws/echo HTTP/1.1", "Host: 127.0.0.1", "Connection: Upgrade, HTTP2-Settings",
                "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA", "Connection: close");
        assertEquals(200, response.status, response::toString);
        assertEquals(AppServlet.BODY_PREFIX + "/ws/echo", response.body);
    }

    /** Takes backend closes until one with {@code code} arrives (other tests' closes may be queued first). */
    private CloseReason awaitBackendClose(int code) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            CloseReason close = backend.takeClose();
            if (close.getCloseCode().getCode() == code) {
                return close;
            }
        }
        throw new AssertionError("the backend saw no close with code " + code);
    }

    private static String randomText(int length) {
        Random random = new Random(7);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            // mostly ASCII with some two- and three-byte characters, so UTF-8 boundaries get split
            int r = random.nextInt(100);
            text.append(r < 90 ? (char) ('a' + random.nextInt(26)) : r < 95 ? 'é' : '✓');
        }
        return text.toString();
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
