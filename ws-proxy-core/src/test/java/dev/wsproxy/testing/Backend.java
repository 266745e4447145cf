package dev.wsproxy.testing;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A real WebSocket upstream for tests: Jetty 12 on {@code 127.0.0.1}, port 0, accepting a WebSocket on
 * every path and recording every handshake and every close it receives.
 *
 * <p>Behaviour by the last path segment:
 * <ul>
 *   <li>{@code .../greet}: sends {@link #GREETING} right after the handshake, then echoes;</li>
 *   <li>{@code .../control}: commands in text messages, anything else is echoed:
 *     <ul>
 *       <li>{@code "close <code> <reason>"}: the backend closes with that code and reason;</li>
 *       <li>{@code "send-binary <size> <seed>"} / {@code "send-text <size> <seed>"}: the backend sends
 *           {@link Payloads#binary} / {@link Payloads#text} of that size (UTF-8 bytes for text) as one
 *           message in frames of at most {@link #FRAGMENT_BYTES} (text: {@code FRAGMENT_BYTES / 4} chars);</li>
 *     </ul></li>
 *   <li>{@code .../control} also takes {@code "push <messages> <messageBytes> <seed>"}: that many binary
 *       messages of {@link Payloads#binary}({@code messageBytes}, {@code seed + i}), generated one at a time;</li>
 *   <li>{@code .../sink}: a slow reader: consumes binary data at {@link #SINK_BYTES_PER_SECOND} (its handler
 *       blocks, so it reads no faster), hashing it; the text {@code "digest"} is answered with
 *       {@code "<bytes> <sha-256 hex>"} of everything consumed;</li>
 *   <li>{@code .../control} also answers {@code "extensions"} with the names of the extensions negotiated,
 *       comma-separated (empty: none);</li>
 *   <li>{@code .../status-<code>}: refuses the handshake with that HTTP status (e.g. {@code status-403});</li>
 *   <li>anything else: echoes every message part as it arrives (fragmentation is streamed, not
 *       reassembled).</li>
 * </ul>
 * Extensions (e.g. permessage-deflate) are negotiated only on paths with a {@code /deflate/} segment, and
 * then every offered one Jetty supports is accepted; elsewhere none is. Subprotocols in {@link #SUBPROTOCOLS} are accepted (first one the client offers); {@code Set-Cookie:
 * backend=1} is sent with every 101. Paths with encoded slashes, dots and empty segments are accepted
 * (Jetty's default would refuse them), so tests can see exactly what the proxy forwarded. Thread-safe.
 */
public final class Backend implements AutoCloseable {

    public static final String GREETING = "hello from upstream";
    public static final List<String> SUBPROTOCOLS = List.of("chat.v2", "chat.v1");
    /** How fast a {@code .../sink} connection reads. */
    public static final long SINK_BYTES_PER_SECOND = 64L << 20;

    /** Generated payloads ({@code send-binary}, {@code send-text}) go out in frames of at most this size. */
    public static final int FRAGMENT_BYTES = 1024 * 1024;

    private final Server server;
    private final ServerConnector connector;
    private final BlockingQueue<Recorded> handshakes = new LinkedBlockingQueue<>();
    private final BlockingQueue<CloseReason> closes = new LinkedBlockingQueue<>();
    private final Set<Session> open = ConcurrentHashMap.newKeySet();

    /** A handshake as the backend saw it. */
    public static final class Recorded {
        public final String path;
        public final String query;
        public final Map<String, List<String>> headers;

        Recorded(String path, String query, Map<String, List<String>> headers) {
            this.path = path;
            this.query = query;
            this.headers = headers;
        }

        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : String.join(", ", values);
        }

        @Override
        public String toString() {
            return path + (query == null ? "" : "?" + query) + " " + headers;
        }
    }

    private final String host;
    private final String scheme;

    private Backend() throws Exception {
        this(false, "127.0.0.1", 0);
    }

    private Backend(boolean jettyDefaults) throws Exception {
        this(jettyDefaults, "127.0.0.1", 0);
    }

    private Backend(boolean jettyDefaults, String host, int port) throws Exception {
        this(jettyDefaults, host, port, null);
    }

    private Backend(boolean jettyDefaults, String host, int port, SelfSignedCertificate tls) throws Exception {
        this.host = host;
        this.scheme = tls == null ? "ws" : "wss";
        QueuedThreadPool threads = new QueuedThreadPool(400, 8, 2_000);
        threads.setName("backend");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setUriCompliance(UriCompliance.UNSAFE);
        if (tls == null) {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
        } else {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStoreType("PKCS12");
            ssl.setKeyStorePath(tls.keyStore.toString());
            ssl.setKeyStorePassword(SelfSignedCertificate.PASSWORD);
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                    new HttpConnectionFactory(http));
        }
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.getServletHandler().setDecodeAmbiguousURIs(true);
        JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) -> {
            if (jettyDefaults) {
                return;
            }
            container.setDefaultMaxSessionIdleTimeout(0);
            container.setDefaultMaxTextMessageBufferSize(64 * 1024 * 1024);
            container.setDefaultMaxBinaryMessageBufferSize(64 * 1024 * 1024);
        });
        context.addFilter(new FilterHolder(new UpgradeEverything()), "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        server.start();
    }

    /** Starts a backend on a free port. */
    public static Backend start() throws Exception {
        return new Backend();
    }

    /**
     * Starts a backend that keeps every Jetty WebSocket default, the 30 s idle timeout and the 64 KiB message
     * limits included: a stock server, as most upstreams are.
     */
    public static Backend startWithJettyDefaults() throws Exception {
        return new Backend(true);
    }

    /**
     * Starts a backend on another loopback address (Linux routes all of 127.0.0.0/8 to the loopback device),
     * e.g. {@code startOn("127.0.0.2", other.port())}: two backends on one port, as two addresses of one name.
     */
    public static Backend startOn(String host, int port) throws Exception {
        return new Backend(false, host, port);
    }

    /**
     * Starts a backend on 127.0.0.1 that speaks only TLS ({@code wss://}), with {@code certificate} (which a
     * client trusts only when told to).
     */
    public static Backend startTls(SelfSignedCertificate certificate) throws Exception {
        return new Backend(false, "127.0.0.1", 0, certificate);
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** {@code ws://127.0.0.1:port} (its address; {@code wss://} for a TLS backend) followed by {@code path}. */
    public String uri(String path) {
        return scheme + "://" + host + ":" + port() + path;
    }

    /** The next recorded handshake, waiting up to 10 s; fails if none arrives. */
    public Recorded takeHandshake() throws InterruptedException {
        Recorded r = handshakes.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the backend saw no handshake within 10s");
        }
        return r;
    }

    /** Handshakes recorded and not yet taken. */
    public int pendingHandshakes() {
        return handshakes.size();
    }

    /** The next close the backend received from its peer, waiting up to 10 s. */
    public CloseReason takeClose() throws InterruptedException {
        CloseReason r = closes.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the backend saw no close within 10s");
        }
        return r;
    }

    /** Sessions currently open at the backend. */
    public int openSessions() {
        return open.size();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** Upgrades every request, recording its handshake. */
    private final class UpgradeEverything implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            ServerContainer container = (ServerContainer) request.getServletContext()
                    .getAttribute(ServerContainer.class.getName());
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String name : Collections.list(request.getHeaderNames())) {
                headers.put(name, Collections.list(request.getHeaders(name)));
            }
            handshakes.add(new Recorded(request.getRequestURI(), request.getQueryString(), headers));
            String path = request.getRequestURI();
            String mode = path.substring(path.lastIndexOf('/') + 1);
            if (mode.matches("status-\\d{3}")) {
                ((HttpServletResponse) res).sendError(Integer.parseInt(mode.substring(7)), "refused by test backend");
                return;
            }
            ServerEndpointConfig config = ServerEndpointConfig.Builder.create(BackendEndpoint.class, "/")
                    .subprotocols(SUBPROTOCOLS)
                    .configurator(new BackendConfigurator(new BackendEndpoint(mode), path.contains("/deflate/")))
                    .build();
            try {
                container.upgradeHttpToWebSocket(request, res, config, Map.of());
            } catch (Exception e) {
                ((HttpServletResponse) res).sendError(400, e.getMessage());
            }
        }
    }

    private static final class BackendConfigurator extends ServerEndpointConfig.Configurator {
        private final BackendEndpoint endpoint;
        private final boolean negotiateExtensions;

        BackendConfigurator(BackendEndpoint endpoint, boolean negotiateExtensions) {
            this.endpoint = endpoint;
            this.negotiateExtensions = negotiateExtensions;
        }

        @Override
        public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
            return requested.stream().filter(supported::contains).findFirst().orElse("");
        }

        @Override
        public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
            if (!negotiateExtensions) {
                return new ArrayList<>();
            }
            List<Extension> chosen = new ArrayList<>();
            for (Extension offered : requested) {
                boolean known = installed.stream().anyMatch(e -> e.getName().equals(offered.getName()));
                if (known && chosen.stream().noneMatch(e -> e.getName().equals(offered.getName()))) {
                    chosen.add(offered);
                }
            }
            return chosen;
        }

        @Override
        public boolean checkOrigin(String originHeaderValue) {
            return true;
        }

        @Override
        public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
            response.getHeaders().put("Set-Cookie", List.of("backend=1; Path=/"));
        }

        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) {
            return endpointClass.cast(endpoint);
        }
    }

    /** Echo / greet / control endpoint; public for Jetty's reflective checks. */
    public final class BackendEndpoint extends Endpoint {
        private final String mode;
        private final Sink sink = new Sink();
        /** The text message being received in parts (control and sink modes); one session per endpoint. */
        private final StringBuilder text = new StringBuilder();

        BackendEndpoint(String mode) {
            this.mode = mode;
        }

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            open.add(session);
            session.addMessageHandler(String.class, (MessageHandler.Partial<String>) (part, last) -> {
                try {
                    if (mode.equals("control") || mode.equals("sink")) {
                        // a command is a whole message: its frame may reach Jetty in more than one read, and
                        // then in more than one part
                        text.append(part);
                        if (!last) {
                            return;
                        }
                        String message = text.toString();
                        text.setLength(0);
                        if (mode.equals("control") && command(session, message)) {
                            return;
                        }
                        if (mode.equals("sink") && message.equals("digest")) {
                            session.getBasicRemote().sendText(sink.report());
                            return;
                        }
                        session.getBasicRemote().sendText(message);
                        return;
                    }
                    session.getBasicRemote().sendText(part, last);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (part, last) -> {
                if (mode.equals("sink")) {
                    sink.consume(part);
                    return;
                }
                try {
                    session.getBasicRemote().sendBinary(part, last);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            if (mode.equals("greet")) {
                try {
                    session.getBasicRemote().sendText(GREETING);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        /** Runs a control command; false when {@code text} is none (then it is echoed). */
        private boolean command(Session session, String text) throws IOException {
            String[] words = text.split(" ", 3);
            switch (words[0]) {
                case "close":
                    session.close(new CloseReason(code(Integer.parseInt(words[1])), words.length > 2 ? words[2] : ""));
                    return true;
                case "close-later":
                    // close-later <millis> <code> [reason]: close without any further traffic on either hop
                    String[] later = words[1].concat(" ").concat(words.length > 2 ? words[2] : "").split(" ", 3);
                    CloseReason reason = new CloseReason(code(Integer.parseInt(later[1])),
                            later.length > 2 ? later[2] : "");
                    CompletableFuture.delayedExecutor(Long.parseLong(later[0]), TimeUnit.MILLISECONDS).execute(() -> {
                        try {
                            session.close(reason);
                        } catch (IOException e) {
                            // the peer went away first
                        }
                    });
                    return true;
                case "send-binary":
                    byte[] data = Payloads.binary(Integer.parseInt(words[1]), Long.parseLong(words[2]));
                    int sent = 0;
                    do {
                        int to = Math.min(data.length, sent + FRAGMENT_BYTES);
                        session.getBasicRemote().sendBinary(ByteBuffer.wrap(data, sent, to - sent), to == data.length);
                        sent = to;
                    } while (sent < data.length);
                    return true;
                case "push":
                    // push <messages> <messageBytes> <seed>: a long stream without holding it in memory
                    String[] args = words[1].concat(" ").concat(words[2]).split(" ");
                    int messages = Integer.parseInt(args[0]);
                    int messageBytes = Integer.parseInt(args[1]);
                    long seed = Long.parseLong(args[2]);
                    for (int i = 0; i < messages; i++) {
                        session.getBasicRemote().sendBinary(ByteBuffer.wrap(Payloads.binary(messageBytes, seed + i)));
                    }
                    return true;
                case "send-text":
                    String payload = Payloads.text(Integer.parseInt(words[1]), Long.parseLong(words[2]));
                    int from = 0;
                    do {
                        int to = Math.min(payload.length(), from + FRAGMENT_BYTES / 4);
                        if (to < payload.length() && Character.isLowSurrogate(payload.charAt(to))) {
                            to++; // never split a surrogate pair between two frames
                        }
                        session.getBasicRemote().sendText(payload.substring(from, to), to == payload.length());
                        from = to;
                    } while (from < payload.length());
                    return true;
                case "extensions":
                    StringBuilder names = new StringBuilder();
                    for (Extension e : session.getNegotiatedExtensions()) {
                        names.append(names.length() == 0 ? "" : ",").append(e.getName());
                    }
                    session.getBasicRemote().sendText(names.toString());
                    return true;
                default:
                    return false;
            }
        }

        @Override
        public void onClose(Session session, CloseReason closeReason) {
            open.remove(session);
            closes.add(closeReason);
        }
    }

    /** A close code built directly: the Jakarta API copy on the classpath may refuse some (Tomcat's 1014). */
    static CloseReason.CloseCode code(int code) {
        return () -> code;
    }

    /** A rate-limited reader that hashes what it reads; used by one handler thread at a time. */
    private static final class Sink {
        private final java.security.MessageDigest digest;
        private long bytes;
        private long startNanos;

        Sink() {
            try {
                digest = java.security.MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void consume(ByteBuffer part) {
            if (startNanos == 0) {
                startNanos = System.nanoTime();
            }
            bytes += part.remaining();
            digest.update(part);
            long due = startNanos + bytes * 1_000_000_000L / SINK_BYTES_PER_SECOND;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }

        String report() {
            return bytes + " " + java.util.HexFormat.of().formatHex(digest.digest());
        }
    }

    /** Convenience: the URI of {@code path} on this backend. */
    public URI toUri(String path) {
        return URI.create(uri(path));
    }
}
