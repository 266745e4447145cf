package dev.wsproxy.testing;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client for tests, on the JDK's {@link java.net.http.WebSocket}: an implementation
 * independent of Jetty and Tyrus. Reassembles fragmented messages, records the close it receives.
 * Thread-safe for one sender at a time.
 */
public final class TestClient implements AutoCloseable {

    /** One HttpClient for all test clients, with a fixed pool so thread counts stay stable. */
    private static final ExecutorService EXECUTOR = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "test-client");
        t.setDaemon(true);
        return t;
    });
    private static final HttpClient HTTP = HttpClient.newBuilder().executor(EXECUTOR)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** A received message: text or binary. */
    public static final class Message {
        public final boolean text;
        public final byte[] data;

        Message(boolean text, byte[] data) {
            this.text = text;
            this.data = data;
        }

        public String asText() {
            return new String(data, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return (text ? "text " : "binary ") + data.length + " bytes";
        }
    }

    /** A close frame received from the server. */
    public static final class Close {
        public final int code;
        public final String reason;

        Close(int code, String reason) {
            this.code = code;
            this.reason = reason;
        }

        @Override
        public String toString() {
            return code + " " + reason;
        }
    }

    private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final WebSocket webSocket;

    private TestClient(URI uri, List<String> subprotocols, String... headers) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(20));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        if (!subprotocols.isEmpty()) {
            builder.subprotocols(subprotocols.get(0),
                    subprotocols.subList(1, subprotocols.size()).toArray(new String[0]));
        }
        try {
            webSocket = builder.buildAsync(uri, new Listener()).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new HandshakeFailed(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("could not connect to " + uri, e);
        }
    }

    /** Connects, failing with {@link HandshakeFailed} when the server does not answer 101. */
    public static TestClient connect(String uri, String... headers) {
        return new TestClient(URI.create(uri), List.of(), headers);
    }

    /** Connects offering {@code subprotocols} in order. */
    public static TestClient connect(String uri, List<String> subprotocols, String... headers) {
        return new TestClient(URI.create(uri), subprotocols, headers);
    }

    /** The subprotocol the server chose, {@code ""} for none. */
    public String subprotocol() {
        return webSocket.getSubprotocol();
    }

    public void sendText(String text) {
        join(webSocket.sendText(text, true));
    }

    public void sendBinary(byte[] data) {
        join(webSocket.sendBinary(ByteBuffer.wrap(data), true));
    }

    /** Sends one text message as several frames, split at the given character offsets. */
    public void sendTextFragments(String... parts) {
        for (int i = 0; i < parts.length; i++) {
            join(webSocket.sendText(parts[i], i == parts.length - 1));
        }
    }

    /** Sends one binary message as several frames. */
    public void sendBinaryFragments(byte[]... parts) {
        for (int i = 0; i < parts.length; i++) {
            join(webSocket.sendBinary(ByteBuffer.wrap(parts[i]), i == parts.length - 1));
        }
    }

    /** Starts a close handshake with {@code code} and {@code reason}. */
    public void close(int code, String reason) {
        join(webSocket.sendClose(code, reason));
    }

    /** Drops the TCP connection without a close handshake. */
    public void abort() {
        webSocket.abort();
    }

    /** The next whole message, waiting up to {@code timeout}; fails if none arrives. */
    public Message next(Duration timeout) throws InterruptedException {
        Message m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            throw new AssertionError("no message within " + timeout + (closed.isDone()
                    ? " (closed: " + closed.getNow(null) + ")" : ""));
        }
        return m;
    }

    /** The next whole message within 10 s. */
    public Message next() throws InterruptedException {
        return next(Duration.ofSeconds(10));
    }

    /** The close frame received, waiting up to {@code timeout}. */
    public Close awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("no close within " + timeout, e);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        if (!webSocket.isOutputClosed()) {
            try {
                webSocket.sendClose(1000, "").get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                webSocket.abort();
            }
        }
        if (!closed.isDone()) {
            try {
                closed.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                webSocket.abort();
            }
        }
    }

    private static void join(CompletableFuture<WebSocket> f) {
        try {
            f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("send failed", e);
        }
    }

    /** The server refused the handshake; {@link #status} is its HTTP status (or -1). */
    public static final class HandshakeFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final int status;
        public final String body;

        HandshakeFailed(Throwable cause) {
            super("handshake failed: " + cause, cause);
            Throwable c = cause instanceof CompletionException ? cause.getCause() : cause;
            if (c instanceof WebSocketHandshakeException) {
                var response = ((WebSocketHandshakeException) c).getResponse();
                status = response.statusCode();
                Object b = response.body();
                body = b == null ? "" : b.toString();
            } else {
                status = -1;
                body = "";
            }
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final StringBuilder partialText = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partialText.append(data);
            if (last) {
                messages.add(new Message(true, partialText.toString().getBytes(StandardCharsets.UTF_8)));
                partialText.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            partial.write(chunk, 0, chunk.length);
            if (last) {
                messages.add(new Message(false, partial.toByteArray()));
                partial.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(new Close(1006, "error: " + error));
        }
    }
}
