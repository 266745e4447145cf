package dev.wsproxy.examples;

import dev.wsproxy.ProxyRoute;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The demo's upstream: an ordinary Jetty 12 (ee10) Jakarta WebSocket server on {@code 127.0.0.1} that knows
 * nothing about the proxy in front of it.
 *
 * <ul>
 *   <li>{@code /echo}: sends every text and binary message back to its sender, unchanged;</li>
 *   <li>{@code /chat?room=R&name=N}: a broadcast room. A text message from {@code N} reaches everyone in
 *       room {@code R} (default {@code lobby}) as {@code "N: text"}; joins and leaves are announced as
 *       {@code "* N joined R (k here)"} and {@code "* N left R"}.</li>
 * </ul>
 *
 * <p>Lifecycle: {@link #start(int)} binds and starts; {@link #close()} stops. Thread-safe.
 */
public final class EchoBackend implements AutoCloseable {

    /** Longest chat name kept; longer ones are cut. */
    static final int MAX_NAME_LENGTH = 32;

    private final Server server;
    private final ServerConnector connector;
    private final Map<String, Set<Session>> rooms = new ConcurrentHashMap<>();
    private final AtomicInteger guests = new AtomicInteger();

    private EchoBackend(int port) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("echo-backend");
        server = new Server(threads);
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) -> {
            // limits at least the proxy's defaults and no idle timeout, so every limit or timeout the demo
            // shows is the proxy's own (Jetty's defaults would refuse messages over 64 KiB and idle out at 30 s)
            container.setDefaultMaxSessionIdleTimeout(0);
            container.setDefaultMaxTextMessageBufferSize((int) ProxyRoute.DEFAULT_MAX_MESSAGE_SIZE);
            container.setDefaultMaxBinaryMessageBufferSize((int) ProxyRoute.DEFAULT_MAX_MESSAGE_SIZE);
            container.addEndpoint(endpoint("/echo", EchoEndpoint.class, EchoEndpoint::new));
            container.addEndpoint(endpoint("/chat", ChatEndpoint.class, () -> new ChatEndpoint(this)));
        });
        server.setHandler(context);
    }

    /** Starts a backend on {@code 127.0.0.1:port}; port 0 picks a free port (see {@link #port()}). */
    public static EchoBackend start(int port) throws Exception {
        EchoBackend backend = new EchoBackend(port);
        try {
            backend.server.start();
        } catch (Exception e) {
            backend.close();
            throw e;
        }
        return backend;
    }

    /** The bound port. */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code ws://127.0.0.1:<port>/}, the root of this backend. */
    public String uri() {
        return "ws://127.0.0.1:" + port() + "/";
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    private static <E extends Endpoint> ServerEndpointConfig endpoint(String path, Class<E> type, Supplier<E> factory) {
        return ServerEndpointConfig.Builder.create(type, path).configurator(new Instances(factory)).build();
    }

    /** Sends one text message; one writer at a time per session (Jakarta basic remotes reject overlaps). */
    private static void send(Session session, String text) {
        synchronized (session) {
            try {
                if (session.isOpen()) {
                    session.getBasicRemote().sendText(text);
                }
            } catch (IOException | RuntimeException e) {
                // the peer is gone; its onClose removes it from its room
            }
        }
    }

    private static void send(Session session, ByteBuffer data) {
        synchronized (session) {
            try {
                if (session.isOpen()) {
                    session.getBasicRemote().sendBinary(data);
                }
            } catch (IOException | RuntimeException e) {
                // the peer is gone
            }
        }
    }

    private static String parameter(Session session, String name, String fallback) {
        List<String> values = session.getRequestParameterMap().get(name);
        String value = values == null || values.isEmpty() ? "" : values.get(0).strip();
        if (value.isEmpty()) {
            return fallback;
        }
        return value.length() > MAX_NAME_LENGTH ? value.substring(0, MAX_NAME_LENGTH) : value;
    }

    /** Echoes whole messages back to the sender. Public for Jetty's reflective endpoint checks. */
    public static final class EchoEndpoint extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> send(session, text));
            session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) data -> send(session, data));
        }
    }

    /** One member of a chat room. Public for Jetty's reflective endpoint checks. */
    public static final class ChatEndpoint extends Endpoint {
        private final EchoBackend backend;
        private String room;
        private String name;

        ChatEndpoint(EchoBackend backend) {
            this.backend = backend;
        }

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            room = parameter(session, "room", "lobby");
            name = parameter(session, "name", "guest-" + backend.guests.incrementAndGet());
            Set<Session> members = backend.rooms.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet());
            members.add(session);
            broadcast("* " + name + " joined " + room + " (" + members.size() + " here)");
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> broadcast(name + ": " + text));
        }

        @Override
        public void onClose(Session session, CloseReason closeReason) {
            Set<Session> members = backend.rooms.get(room);
            if (members != null && members.remove(session)) {
                broadcast("* " + name + " left " + room);
            }
        }

        private void broadcast(String line) {
            for (Session member : backend.rooms.getOrDefault(room, Set.of())) {
                send(member, line);
            }
        }
    }

    /**
     * Hands Jetty our endpoint instances. Every method is overridden so that no other container-default
     * configurator on the classpath (tyrus-core, pulled in by the proxy's client, registers one) takes part.
     */
    private static final class Instances extends ServerEndpointConfig.Configurator {
        private final Supplier<? extends Endpoint> factory;

        Instances(Supplier<? extends Endpoint> factory) {
            this.factory = factory;
        }

        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) {
            return endpointClass.cast(factory.get());
        }

        @Override
        public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
            return "";
        }

        @Override
        public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
            return new ArrayList<>();
        }

        @Override
        public boolean checkOrigin(String originHeaderValue) {
            return true;
        }

        @Override
        public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
        }
    }
}
