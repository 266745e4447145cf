package dev.wsproxy.internal;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one proxied WebSocket connection: the client session (server side, owned by the servlet
 * container) and the upstream session (client side, owned by Tyrus).
 *
 * <h2>Threading</h2>
 * Each container calls one session's handlers one at a time, so each direction has exactly one reading
 * thread. A message part is sent to the other peer <em>inside</em> the handler with a blocking send: the
 * container reads the next frame only when the handler returns, which is the whole of the backpressure
 * and keeps memory per connection bounded by one frame. Every write to a session (message parts, close)
 * holds that session's write lock ({@link #clientWriteLock}, {@link #upstreamWriteLock}), so there is
 * one writer per session. {@link #state} and the two "ended" flags are guarded by {@link #lock}; no I/O
 * happens while holding it.
 *
 * <h2>Lifecycle</h2>
 * CONNECTING (upstream open, client not yet upgraded; upstream messages wait for the client, so none
 * is lost) → OPEN → CLOSING (one side ended, the other is being closed with the mapped code) → CLOSED
 * (both sessions ended; {@code onEnded} runs exactly once).
 */
public final class Relay {

    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

    enum State { CONNECTING, OPEN, CLOSING, CLOSED }

    private final String id;
    private final Duration attachTimeout;
    private final Consumer<Relay> onEnded;
    private final CompletableFuture<Session> clientReady = new CompletableFuture<>();
    private final UpstreamSide upstreamSide = new UpstreamSide();
    private final ClientSide clientSide = new ClientSide(this);

    private final Object lock = new Object();
    private State state = State.CONNECTING;
    private boolean clientEnded;
    private boolean upstreamEnded;

    private final Object clientWriteLock = new Object();
    private final Object upstreamWriteLock = new Object();
    private volatile Session clientSession;
    private volatile Session upstreamSession;

    /**
     * @param attachTimeout how long upstream events wait for the client's upgrade to finish
     * @param onEnded called once, when both sessions have ended
     */
    public Relay(String id, Duration attachTimeout, Consumer<Relay> onEnded) {
        this.id = id;
        this.attachTimeout = attachTimeout;
        this.onEnded = onEnded;
    }

    public String id() {
        return id;
    }

    /** The endpoint to connect upstream with. */
    public Endpoint upstreamEndpoint() {
        return upstreamSide;
    }

    /** The endpoint the container runs for the client once upgraded. */
    public ClientSide clientEndpoint() {
        return clientSide;
    }

    /** The client could not be upgraded: release the upstream. */
    public void clientUpgradeFailed(Throwable cause) {
        LOG.debug("[{}] client upgrade failed", id, cause);
        clientReady.completeExceptionally(cause);
        beginClose(true, CloseMapping.clientFailed(cause));
        markEnded(true);
    }

    /** Closes both peers with 1001 (proxy shutdown). */
    public void shutdown() {
        CloseReason reason = CloseMapping.proxyShutdown();
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSING;
        }
        closeQuietly(upstreamSession, upstreamWriteLock, reason);
        Session client = clientSession;
        if (client == null) {
            clientReady.completeExceptionally(new IllegalStateException("proxy shutting down"));
            markEnded(true);
        } else {
            closeQuietly(client, clientWriteLock, reason);
        }
    }

    // ---- upstream to client -----------------------------------------------------------------------

    private void upstreamToClientText(String part, boolean last) {
        Session client = awaitClient();
        if (client == null) {
            return;
        }
        try {
            synchronized (clientWriteLock) {
                client.getBasicRemote().sendText(part, last);
            }
        } catch (IOException | RuntimeException e) {
            clientFailed(e);
        }
    }

    private void upstreamToClientBinary(ByteBuffer part, boolean last) {
        Session client = awaitClient();
        if (client == null) {
            return;
        }
        try {
            synchronized (clientWriteLock) {
                client.getBasicRemote().sendBinary(part, last);
            }
        } catch (IOException | RuntimeException e) {
            clientFailed(e);
        }
    }

    // ---- client to upstream -----------------------------------------------------------------------

    private void clientToUpstreamText(String part, boolean last) {
        try {
            synchronized (upstreamWriteLock) {
                upstreamSession.getBasicRemote().sendText(part, last);
            }
        } catch (IOException | RuntimeException e) {
            upstreamFailed(e);
        }
    }

    private void clientToUpstreamBinary(ByteBuffer part, boolean last) {
        try {
            synchronized (upstreamWriteLock) {
                upstreamSession.getBasicRemote().sendBinary(part, last);
            }
        } catch (IOException | RuntimeException e) {
            upstreamFailed(e);
        }
    }

    // ---- endings ----------------------------------------------------------------------------------

    private void clientClosed(CloseReason reason) {
        LOG.debug("[{}] client closed {} {}", id, CloseMapping.code(reason), reason.getReasonPhrase());
        beginClose(true, CloseMapping.clientClosed(reason));
        markEnded(true);
    }

    private void upstreamClosed(CloseReason reason) {
        LOG.debug("[{}] upstream closed {} {}", id, CloseMapping.code(reason), reason.getReasonPhrase());
        beginClose(false, CloseMapping.upstreamClosed(reason));
        markEnded(false);
    }

    private void clientFailed(Throwable cause) {
        LOG.debug("[{}] client failed", id, cause);
        beginClose(true, CloseMapping.clientFailed(cause));
        closeQuietly(clientSession, clientWriteLock, CloseMapping.of(CloseMapping.INTERNAL_ERROR, "proxy error"));
    }

    private void upstreamFailed(Throwable cause) {
        LOG.debug("[{}] upstream failed", id, cause);
        beginClose(false, CloseMapping.upstreamFailed(cause));
        closeQuietly(upstreamSession, upstreamWriteLock, CloseMapping.of(CloseMapping.GOING_AWAY, "proxy error"));
    }

    /**
     * The first side to end decides the code the other side gets; later endings only complete the close.
     *
     * @param clientSideEnded whether the client's side ended (so the upstream is closed), or the upstream's
     */
    private void beginClose(boolean clientSideEnded, CloseReason toOtherSide) {
        synchronized (lock) {
            if (state == State.CLOSING || state == State.CLOSED) {
                return;
            }
            state = State.CLOSING;
        }
        if (clientSideEnded) {
            closeQuietly(upstreamSession, upstreamWriteLock, toOtherSide);
        } else {
            Session client = awaitClient();
            if (client != null) {
                closeQuietly(client, clientWriteLock, toOtherSide);
            }
        }
    }

    private void markEnded(boolean client) {
        boolean nowClosed;
        synchronized (lock) {
            if (client) {
                clientEnded = true;
            } else {
                upstreamEnded = true;
            }
            nowClosed = clientEnded && upstreamEnded && state != State.CLOSED;
            if (nowClosed) {
                state = State.CLOSED;
            }
        }
        if (nowClosed) {
            clientSession = null;
            upstreamSession = null;
            onEnded.accept(this);
        }
    }

    private void closeQuietly(Session session, Object writeLock, CloseReason reason) {
        if (session == null || !session.isOpen()) {
            return;
        }
        try {
            synchronized (writeLock) {
                session.close(reason);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("[{}] close failed", id, e);
        }
    }

    /** Waits for the client's upgrade (normally already done); {@code null} if it failed or never came. */
    private Session awaitClient() {
        Session client = clientReady.getNow(null);
        if (client != null) {
            return client;
        }
        try {
            return clientReady.get(attachTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("[{}] client upgrade did not complete within {}; closing upstream", id,
                    Durations.format(attachTimeout));
            clientUpgradeFailed(e);
            return null;
        } catch (ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Whether the relay has fully ended. */
    public boolean isClosed() {
        synchronized (lock) {
            return state == State.CLOSED;
        }
    }

    @Override
    public String toString() {
        return "Relay[" + id + "]";
    }

    /** Tyrus-side endpoint: events of the proxy-to-upstream session. */
    private final class UpstreamSide extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            upstreamSession = session;
            session.addMessageHandler(String.class, (MessageHandler.Partial<String>) Relay.this::upstreamToClientText);
            session.addMessageHandler(ByteBuffer.class,
                    (MessageHandler.Partial<ByteBuffer>) Relay.this::upstreamToClientBinary);
        }

        @Override
        public void onClose(Session session, CloseReason closeReason) {
            upstreamClosed(closeReason);
        }

        @Override
        public void onError(Session session, Throwable error) {
            upstreamFailed(error);
        }
    }

    /**
     * Container-side endpoint: events of the client-to-proxy session. Public only because servlet
     * containers instantiate-check endpoint classes reflectively; not an API.
     */
    public static final class ClientSide extends Endpoint {
        private final Relay relay;

        ClientSide(Relay relay) {
            this.relay = relay;
        }

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            // Idle policy is the proxy's (keepalive pings), not the container's default (Jetty: 30 s).
            session.setMaxIdleTimeout(0);
            relay.clientSession = session;
            session.addMessageHandler(String.class, (MessageHandler.Partial<String>) relay::clientToUpstreamText);
            session.addMessageHandler(ByteBuffer.class,
                    (MessageHandler.Partial<ByteBuffer>) relay::clientToUpstreamBinary);
            synchronized (relay.lock) {
                if (relay.state == State.CONNECTING) {
                    relay.state = State.OPEN;
                }
            }
            relay.clientReady.complete(session);
        }

        @Override
        public void onClose(Session session, CloseReason closeReason) {
            relay.clientClosed(closeReason);
        }

        @Override
        public void onError(Session session, Throwable error) {
            relay.clientFailed(error);
        }
    }
}
