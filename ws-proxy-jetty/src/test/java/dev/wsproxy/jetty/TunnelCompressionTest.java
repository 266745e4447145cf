package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyConnection;
import dev.wsproxy.ProxyListener;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.Payloads;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate is negotiated end to end through the tunnel (the proxy forwards the client's offer
 * and hands back the upstream's answer) and compressed frames (RSV1) are relayed untouched: Jetty's
 * WebSocket client against the stock Jetty {@link Backend}, several MiB each way, compressible and random,
 * compared by SHA-256. The proxy's byte counters see the compressed sizes, which shows the frames crossed
 * it compressed.
 */
class TunnelCompressionTest {

    private static final int MIB = 1024 * 1024;

    @Test
    void deflateIsNegotiatedEndToEndAndLargeMessagesRoundTripIntact() throws Exception {
        CompletableFuture<ProxyConnection> opened = new CompletableFuture<>();
        try (ProxyFixture f = ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/"))
                        .relayMode(ProxyRoute.RelayMode.TUNNEL).build())
                .listener(new ProxyListener() {
                    @Override
                    public void onOpen(ProxyConnection connection) {
                        opened.complete(connection);
                    }
                })
                .build())) {
            WebSocketClient client = new WebSocketClient();
            client.setMaxBinaryMessageSize(64L * MIB);
            client.setMaxTextMessageSize(64L * MIB);
            client.start();
            try {
                Messages messages = new Messages();
                ClientUpgradeRequest request = new ClientUpgradeRequest();
                request.addExtensions("permessage-deflate");
                Session session = client.connect(messages, URI.create(f.uri("/ws/deflate/control")), request)
                        .get(10, TimeUnit.SECONDS);
                String answered = session.getUpgradeResponse().getHeader("Sec-WebSocket-Extensions");
                assertTrue(answered != null && answered.contains("permessage-deflate"),
                        "the client's 101 carries the upstream's extension answer: " + answered);
                assertTrue(f.backend.takeHandshake().header("Sec-WebSocket-Extensions").contains("permessage-deflate"),
                        "the client's offer reached the upstream");
                session.sendText("extensions", Callback.NOOP);
                assertEquals("permessage-deflate", messages.next(), "negotiated at the upstream");

                ProxyConnection connection = opened.get(10, TimeUnit.SECONDS);
                String compressible = "all work and no play makes a dull proxy. ".repeat(4 * MIB / 41);
                long before = connection.clientToUpstreamBytes();
                session.sendText(compressible, Callback.NOOP);
                assertEquals(Payloads.sha256(compressible), Payloads.sha256(messages.next()), "compressible text");
                long onTheWire = connection.clientToUpstreamBytes() - before;
                assertTrue(onTheWire < compressible.length() / 20, "the tunnel saw " + onTheWire
                        + " payload bytes for " + compressible.length() + " compressible bytes: not compressed");

                byte[] random = Payloads.binary(3 * MIB + 3, 11);
                session.sendBinary(ByteBuffer.wrap(random), Callback.NOOP);
                assertEquals(Payloads.sha256(random), Payloads.sha256(messages.nextBinary()), "random binary");

                String randomText = Payloads.text(2 * MIB, 12);
                session.sendText(randomText, Callback.NOOP);
                assertEquals(Payloads.sha256(randomText), Payloads.sha256(messages.next()), "random text");
                session.close(1000, "done", Callback.NOOP);
                assertEquals(1000, messages.closed.get(10, TimeUnit.SECONDS));
            } finally {
                client.stop();
            }
        }
    }

    /** Whole messages as they arrive; public because Jetty looks its methods up reflectively. */
    public static final class Messages implements Session.Listener.AutoDemanding {
        private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        @Override
        public void onWebSocketText(String message) {
            received.add(message);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            byte[] copy = new byte[payload.remaining()];
            payload.get(copy);
            received.add(copy);
            callback.succeed();
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            closed.complete(statusCode);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            closed.completeExceptionally(cause);
        }

        String next() throws InterruptedException {
            Object message = take();
            assertTrue(message instanceof String, () -> "expected text but got " + message);
            return (String) message;
        }

        byte[] nextBinary() throws InterruptedException {
            Object message = take();
            assertTrue(message instanceof byte[], () -> "expected binary but got " + message);
            return (byte[]) message;
        }

        private Object take() throws InterruptedException {
            Object message = received.poll(30, TimeUnit.SECONDS);
            if (message == null) {
                throw new AssertionError("no message within 30 s (closed: " + closed.getNow(null) + ")");
            }
            return message;
        }
    }

}
