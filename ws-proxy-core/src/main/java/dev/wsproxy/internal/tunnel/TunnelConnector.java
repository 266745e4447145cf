package dev.wsproxy.internal.tunnel;

import dev.wsproxy.TunnelEndpoint;
import dev.wsproxy.internal.Durations;
import dev.wsproxy.internal.HeaderTokens;
import dev.wsproxy.internal.UpstreamFailure;
import dev.wsproxy.internal.UpstreamFailures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Opens tunnel-mode upstream connections with Jetty's {@code ClientConnector} (non-blocking connect, TLS with
 * certificate and host name verification) and performs the HTTP/1.1 upgrade: writes the request head,
 * parses the answer with Jetty's {@link HttpParser}, and checks a 101 against RFC 6455 section 4.1 (accept
 * key, subprotocol and extensions the client offered). No thread waits while an upstream connects.
 *
 * <p>Lifecycle: started on creation, stopped by {@link #close()}. Thread-safe.
 */
public final class TunnelConnector implements AutoCloseable {

    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int MAX_RESPONSE_HEAD = 16 * 1024;
    private static final int READ_BUFFER = 2048;

    /** Whether Jetty 12.1's {@code Transport} (which its ClientConnector requires in the context) is present. */
    private static final boolean TRANSPORT_API = classPresent("org.eclipse.jetty.io.Transport");

    private final QueuedThreadPool threads;
    private final ClientConnector connector;
    /** Plain tunnels run on these after the 101 (both sides on one loop). */
    private final NioLoops loops = new NioLoops(Runtime.getRuntime().availableProcessors());

    /** @param connectTimeout the longest TCP connect deadline of any route */
    public TunnelConnector(Duration connectTimeout) {
        // idle threads go after 5 s: a burst of handshakes does not leave a grown pool behind for a minute
        threads = new QueuedThreadPool(Math.max(8, Runtime.getRuntime().availableProcessors() * 4), 1, 5_000);
        threads.setName("ws-proxy-upstream");
        threads.setDaemon(true);
        connector = new ClientConnector();
        connector.setExecutor(threads);
        connector.setSelectors(1);
        connector.setIdleTimeout(Duration.ZERO);
        connector.setConnectTimeout(connectTimeout);
        SslContextFactory.Client tls = new SslContextFactory.Client(false);
        tls.setEndpointIdentificationAlgorithm("HTTPS");
        connector.setSslContextFactory(tls);
        try {
            connector.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the upstream connector", e);
        }
    }

    /**
     * Connects to {@code target} and upgrades. Completes with the open upstream, or exceptionally with an
     * {@link UpstreamFailure} carrying the status the client should get.
     *
     * @param target the upstream URI with the raw (still percent-encoded) path and query
     * @param headers end-to-end and forwarding headers for the upstream (may hold Host)
     * @param handshake the client's {@code Sec-WebSocket-Key/-Version/-Protocol/-Extensions}, forwarded as is
     */
    public CompletableFuture<UpstreamHandshake> connect(URI target, Map<String, String> headers,
                                                        ClientOffer handshake, Duration deadline) {
        CompletableFuture<UpstreamHandshake> result = new CompletableFuture<>();
        String origin = target.getScheme() + "://" + target.getRawAuthority();
        boolean secure = "wss".equalsIgnoreCase(target.getScheme());
        int port = target.getPort() > 0 ? target.getPort() : secure ? 443 : 80;
        InetSocketAddress address;
        try {
            address = new InetSocketAddress(target.getHost(), port);
        } catch (IllegalArgumentException e) {
            result.completeExceptionally(new UpstreamFailure(502, "upstream " + origin + " is not a valid address", e));
            return result;
        }
        if (address.isUnresolved()) {
            result.completeExceptionally(new UpstreamFailure(502, "upstream host of " + origin
                    + " could not be resolved", null));
            return result;
        }
        return connect(target, address, headers, handshake, deadline);
    }

    /**
     * {@link #connect(URI, Map, ClientOffer, Duration)} to an address resolved by the caller (an upstream pool's
     * DNS cache). {@code Host} comes from {@code target}; TLS uses the address's host string (keep the name in it,
     * as {@code InetAddress.getByAddress(name, bytes)} does) for SNI and certificate checks.
     */
    public CompletableFuture<UpstreamHandshake> connect(URI target, InetSocketAddress address,
                                                        Map<String, String> headers, ClientOffer handshake,
                                                        Duration deadline) {
        CompletableFuture<UpstreamHandshake> result = new CompletableFuture<>();
        String origin = target.getScheme() + "://" + target.getRawAuthority();
        boolean secure = "wss".equalsIgnoreCase(target.getScheme());
        int port = address.getPort();
        byte[] head = requestHead(target, headers, handshake, port, secure);
        Scheduler.Task timeout = connector.getScheduler().schedule(() -> result.completeExceptionally(
                new UpstreamFailure(504, "upstream " + origin + " did not complete the WebSocket handshake within "
                        + Durations.format(deadline), null)), deadline.toMillis(), TimeUnit.MILLISECONDS);
        ClientConnectionFactory factory = (endPoint, context) -> new HandshakeConnection(endPoint, threads, head,
                handshake, origin, result, loops);
        if (secure) {
            factory = connector.newSslClientConnectionFactory(null, factory);
        }
        Map<String, Object> context = new HashMap<>();
        Promise<Connection> promise = new Promise<>() {
            @Override
            public void failed(Throwable x) {
                result.completeExceptionally(classify(origin, x));
            }
        };
        // Keys by their values, for Jetty 12.1 and 12.0 alike (Spring Boot 3.5 manages Jetty 12.0): the constants
        // were renamed between them, and 12.0 has no Transport.
        context.put(ClientConnectionFactory.class.getName(), factory);
        context.put("org.eclipse.jetty.client.connector.clientConnectionFactory", factory);
        context.put(Connection.class.getName() + ".promise", promise);
        context.put("org.eclipse.jetty.client.connector.connectionPromise", promise);
        if (TRANSPORT_API) {
            Jetty121.putTcpTransport(context);
        }
        result.whenComplete((ok, failure) -> timeout.cancel());
        connector.connect(address, context);
        return result;
    }

    /** The client's handshake fields that tunnel mode forwards so both ends negotiate end to end. */
    public static final class ClientOffer {
        final String key;
        final String version;
        final List<String> subprotocols;
        final List<String> extensions;

        public ClientOffer(String key, String version, List<String> subprotocols, List<String> extensions) {
            this.key = key;
            this.version = version;
            this.subprotocols = subprotocols;
            this.extensions = extensions;
        }
    }

    private static byte[] requestHead(URI target, Map<String, String> headers, ClientOffer offer, int port,
                                      boolean secure) {
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        String query = target.getRawQuery();
        StringBuilder b = new StringBuilder(512);
        b.append("GET ").append(path);
        if (query != null) {
            b.append('?').append(query);
        }
        b.append(" HTTP/1.1\r\n");
        boolean defaultPort = port == (secure ? 443 : 80);
        String host = headers.get("Host");
        if (host == null) {
            String h = target.getHost().contains(":") && !target.getHost().startsWith("[")
                    ? "[" + target.getHost() + "]" : target.getHost();
            host = defaultPort ? h : h + ":" + port;
        }
        b.append("Host: ").append(host).append("\r\n");
        b.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
        b.append("Sec-WebSocket-Key: ").append(offer.key).append("\r\n");
        b.append("Sec-WebSocket-Version: ").append(offer.version).append("\r\n");
        if (!offer.subprotocols.isEmpty()) {
            b.append("Sec-WebSocket-Protocol: ").append(String.join(", ", offer.subprotocols)).append("\r\n");
        }
        if (!offer.extensions.isEmpty()) {
            b.append("Sec-WebSocket-Extensions: ").append(String.join(", ", offer.extensions)).append("\r\n");
        }
        headers.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Host") && HeaderTokens.isSafeValue(value)) {
                b.append(name).append(": ").append(value).append("\r\n");
            }
        });
        b.append("\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static UpstreamFailure classify(String origin, Throwable failure) {
        return UpstreamFailures.classify(origin, failure, Duration.ZERO);
    }

    private static boolean classPresent(String name) {
        try {
            Class.forName(name, false, TunnelConnector.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Touches Jetty 12.1-only types; loaded only when they exist. */
    private static final class Jetty121 {
        static void putTcpTransport(Map<String, Object> context) {
            context.put(Transport.class.getName(), Transport.TCP_IP);
        }
    }

    /** The expected {@code Sec-WebSocket-Accept} for a key (RFC 6455 section 4.2.2). */
    static String acceptFor(String key) {
        try {
            java.security.MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key.trim() + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII));
            return java.util.Base64.getEncoder().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every Java platform", e);
        }
    }

    /** Stops the connector; open tunnels must be closed first. */
    @Override
    public void close() {
        loops.close();
        try {
            connector.stop();
            threads.stop();
        } catch (Exception e) {
            // stopping is best effort: every connection was closed before
        }
    }

    /** The HTTP phase of one upstream connection: request out, response head in, then hands over. */
    private static final class HandshakeConnection extends AbstractConnection implements HttpParser.ResponseHandler {
        private byte[] head;
        private final ClientOffer offer;
        private final String origin;
        private final CompletableFuture<UpstreamHandshake> result;
        private final NioLoops loops;
        private final HttpParser parser = new HttpParser(this, MAX_RESPONSE_HEAD);
        private final Map<String, List<String>> responseHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        /** The response head's buffer; dropped at the hand-over (this connection object lives as long as the tunnel). */
        // small: a 101 is a few hundred bytes, and the parser keeps what it consumed, so a longer head (up to
        // MAX_RESPONSE_HEAD, the parser's own limit) is read through it in pieces (Jetty's fill compacts it)
        private ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER).limit(0);
        private int status;
        private boolean headerDone;

        HandshakeConnection(EndPoint endPoint, java.util.concurrent.Executor executor, byte[] head, ClientOffer offer,
                            String origin, CompletableFuture<UpstreamHandshake> result, NioLoops loops) {
            super(endPoint, executor);
            this.loops = loops;
            this.head = head;
            this.offer = offer;
            this.origin = origin;
            this.result = result;
            // a deadline or a shutdown completes the result from outside: the connection must go too
            result.whenComplete((ok, failure) -> {
                if (failure != null && !headerDone) {
                    getEndPoint().close();
                }
            });
        }

        /**
         * Fill interest that runs {@link #onFillable} on the selector thread, without a hand-off to a pooled
         * thread: reading the 101 and everything its completion does (answering the client, starting the
         * tunnel, listener calls, which must not block) is non-blocking I/O and bookkeeping. (Jetty 12.1's
         * {@code AbstractConnection.NonBlocking} does this too, but Jetty 12.0 lacks it.)
         */
        private final Callback fillable = new Callback() {
            @Override
            public void succeeded() {
                onFillable();
            }

            @Override
            public void failed(Throwable x) {
                fail(x);
            }

            @Override
            public InvocationType getInvocationType() {
                return InvocationType.NON_BLOCKING;
            }
        };

        @Override
        public void onOpen() {
            super.onOpen();
            if (result.isDone()) {
                getEndPoint().close();
                return;
            }
            ByteBuffer request = ByteBuffer.wrap(head);
            head = null;
            getEndPoint().write(Callback.from(this::awaitResponse, this::fail), request);
        }

        private void awaitResponse() {
            getEndPoint().fillInterested(fillable);
        }

        @Override
        public void onFillable() {
            if (buffer == null) {
                return; // handed over: the tunnel reads the endpoint itself
            }
            try {
                while (!headerDone && !result.isDone()) {
                    int n = getEndPoint().fill(buffer);
                    if (n < 0) {
                        fail(new UpstreamFailure(502, "upstream " + origin + " closed the connection without answering"
                                + " the WebSocket handshake (is that port a WebSocket server?)", null));
                        return;
                    }
                    if (n == 0) {
                        awaitResponse();
                        return;
                    }
                    parser.parseNext(buffer);
                }
                if (headerDone && !result.isDone()) {
                    handOver();
                }
            } catch (IOException | RuntimeException e) {
                fail(e instanceof RuntimeException && !(e instanceof IllegalStateException)
                        ? new UpstreamFailure(502, "upstream " + origin + " did not answer the WebSocket handshake"
                        + " with a valid HTTP response (is that port a WebSocket server?)", e) : e);
            }
        }

        private void handOver() {
            if (status != 101) {
                fail(UpstreamFailures.answered(origin, status, null));
                return;
            }
            String problem = check();
            if (problem != null) {
                // the upstream thinks it is open: tell it why it is not (RFC 6455 7.1.7, "fail the connection")
                result.completeExceptionally(new UpstreamFailure(502, "upstream " + origin + " " + problem, null));
                getEndPoint().write(Callback.from(getEndPoint()::close, x -> getEndPoint().close()),
                        Frames.close(1002, "invalid handshake response", true));
                return;
            }
            String chosen = first("Sec-WebSocket-Protocol");
            boolean compression = false;
            boolean other = false;
            for (String extension : HeaderTokens.split(responseHeaders.getOrDefault("Sec-WebSocket-Extensions",
                    List.of()))) {
                String name = extensionName(extension);
                if (name.equals("permessage-deflate")) {
                    compression = true;
                } else {
                    other = true;
                }
            }
            ByteBuffer early = buffer.hasRemaining() ? ByteBuffer.allocate(buffer.remaining()).put(buffer).flip() : null;
            buffer = null;
            JettyTunnelEndpoint endpoint = new JettyTunnelEndpoint(getEndPoint());
            endpoint.loop(loops.next());
            // this connection's parser and headers are not needed any more: a small one holds the endpoint
            getEndPoint().upgrade(new HeldConnection(getEndPoint(), getExecutor(), endpoint));
            UpstreamHandshake handshake = new UpstreamHandshake(endpoint, responseHeaders, chosen, compression, other,
                    early);
            if (!result.complete(handshake)) {
                getEndPoint().close();
            }
        }

        /** RFC 6455 section 4.1: what makes a 101 acceptable; null when it is. */
        private String check() {
            if (!"websocket".equalsIgnoreCase(String.valueOf(first("Upgrade")).trim())) {
                return "answered 101 without 'Upgrade: websocket' (was '" + first("Upgrade") + "')";
            }
            if (!HeaderTokens.contains(responseHeaders.getOrDefault("Connection", List.of()), "upgrade")) {
                return "answered 101 without 'Connection: Upgrade'";
            }
            String accept = first("Sec-WebSocket-Accept");
            String expected = acceptFor(offer.key);
            if (!expected.equals(accept == null ? null : accept.trim())) {
                return "answered 101 with Sec-WebSocket-Accept '" + accept + "' but expected '" + expected + "'";
            }
            String chosen = first("Sec-WebSocket-Protocol");
            if (chosen != null && !offer.subprotocols.contains(chosen.trim())) {
                return "chose subprotocol '" + chosen + "' which the client did not offer (offered: "
                        + offer.subprotocols + "; fix the upstream's subprotocol selection)";
            }
            List<String> offeredNames = new ArrayList<>();
            for (String e : HeaderTokens.split(offer.extensions)) {
                offeredNames.add(extensionName(e));
            }
            for (String e : HeaderTokens.split(responseHeaders.getOrDefault("Sec-WebSocket-Extensions", List.of()))) {
                if (!offeredNames.contains(extensionName(e))) {
                    return "accepted extension '" + extensionName(e) + "' which the client did not offer";
                }
            }
            return null;
        }

        private static String extensionName(String extension) {
            int semicolon = extension.indexOf(';');
            return (semicolon < 0 ? extension : extension.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        }

        private String first(String name) {
            List<String> values = responseHeaders.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        private void fail(Throwable failure) {
            result.completeExceptionally(classify(origin, failure));
            getEndPoint().close();
        }

        @Override
        public void startResponse(HttpVersion version, int status, String reason) {
            this.status = status;
        }

        @Override
        public void parsedHeader(HttpField field) {
            responseHeaders.computeIfAbsent(field.getName(), k -> new ArrayList<>()).add(field.getValue());
        }

        @Override
        public boolean headerComplete() {
            headerDone = true;
            return true;
        }

        @Override
        public boolean content(ByteBuffer item) {
            return false;
        }

        @Override
        public boolean contentComplete() {
            return false;
        }

        @Override
        public boolean messageComplete() {
            return true;
        }

        @Override
        public void earlyEOF() {
            fail(new UpstreamFailure(502, "upstream " + origin + " closed the connection in the middle of its"
                    + " handshake response", null));
        }

        @Override
        public void badMessage(org.eclipse.jetty.http.HttpException failure) {
            fail(new UpstreamFailure(502, "upstream " + origin + " did not answer the WebSocket handshake with a"
                    + " valid HTTP response (is that port a WebSocket server?)", (Throwable) failure));
        }
    }
}
