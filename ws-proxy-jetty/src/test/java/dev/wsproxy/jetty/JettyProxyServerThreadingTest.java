package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.AsyncHandshakeAuthorizer;
import dev.wsproxy.HandshakeAuthorizer;
import dev.wsproxy.HandshakeDecision;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.WireFrame;
import dev.wsproxy.testing.WireSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code JettyProxyServer} starts tunnel handshakes on the selector thread that read them, so whatever may
 * block there must be handed to a pool thread: a synchronous authorizer that blocks for one client must not
 * hold up the handshakes of others (on the same selector), and an asynchronous one that has not decided yet
 * neither.
 */
class JettyProxyServerThreadingTest {

    private Backend backend;
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch blocked = new CountDownLatch(1);
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @BeforeEach
    void startBackend() throws Exception {
        backend = Backend.start();
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        clients.shutdownNow();
        backend.close();
    }

    @Test
    void aBlockingAuthorizerForOneClientDoesNotHoldUpTheOthers() throws Exception {
        HandshakeAuthorizer authorizer = (request, route) -> {
            if (request.path().endsWith("/slow")) {
                blocked.countDown();
                assertTrue(release.await(30, TimeUnit.SECONDS), "the test never released the slow client");
            }
            return HandshakeDecision.allow();
        };
        WebSocketProxy proxy = WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/t/").upstream(backend.uri("/")).build())
                .authorizer(authorizer)
                .build();
        assertTrue(proxy.handshakesMayBlock());
        oneBlockedOthersServed(proxy);
    }

    @Test
    void anUndecidedAsyncAuthorizerDoesNotHoldUpTheOthers() throws Exception {
        CompletableFuture<HandshakeDecision> slowDecision = new CompletableFuture<>();
        AsyncHandshakeAuthorizer authorizer = (request, route) -> {
            if (request.path().endsWith("/slow")) {
                blocked.countDown();
                return slowDecision;
            }
            return CompletableFuture.completedFuture(HandshakeDecision.allow());
        };
        WebSocketProxy proxy = WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/t/").upstream(backend.uri("/")).build())
                .asyncAuthorizer(authorizer)
                .build();
        assertFalse(proxy.handshakesMayBlock(), "an asynchronous authorizer runs without blocking");
        try (JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0))) {
            Future<String> slow = clients.submit(() -> handshakeAndEcho(server.port(), "/t/slow"));
            assertTrue(blocked.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 5; i++) {
                assertEquals("/t/fast" + i, handshakeAndEcho(server.port(), "/t/fast" + i));
            }
            assertFalse(slow.isDone());
            slowDecision.complete(HandshakeDecision.allow());
            assertEquals("/t/slow", slow.get(10, TimeUnit.SECONDS));
        } finally {
            proxy.close();
        }
    }

    @Test
    void withoutAnAuthorizerNothingBlocks() {
        try (WebSocketProxy proxy = WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/t/").upstream(backend.uri("/")).build()).build()) {
            assertFalse(proxy.handshakesMayBlock());
        }
    }

    private void oneBlockedOthersServed(WebSocketProxy proxy) throws Exception {
        try (JettyProxyServer server = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0))) {
            Future<String> slow = clients.submit(() -> handshakeAndEcho(server.port(), "/t/slow"));
            assertTrue(blocked.await(10, TimeUnit.SECONDS), "the slow handshake never reached the authorizer");
            for (int i = 0; i < 5; i++) {
                // each within the socket timeout of WireSocket: a selector blocked by the authorizer answers none
                assertEquals("/t/fast" + i, handshakeAndEcho(server.port(), "/t/fast" + i));
            }
            assertFalse(slow.isDone(), "the slow client is still waiting for its authorizer");
            release.countDown();
            assertEquals("/t/slow", slow.get(10, TimeUnit.SECONDS));
        } finally {
            proxy.close();
        }
    }

    private static String handshakeAndEcho(int port, String path) throws Exception {
        try (WireSocket client = WireSocket.connect(port, path)) {
            client.sendFrame(WireFrame.TEXT, true, path.getBytes(StandardCharsets.UTF_8));
            return new String(client.readFrameAnsweringPings().payload, StandardCharsets.UTF_8);
        }
    }
}
