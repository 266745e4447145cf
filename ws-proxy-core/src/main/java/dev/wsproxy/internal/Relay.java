package dev.wsproxy.internal;

import dev.wsproxy.ProxyListener;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.internal.metrics.EndCause;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.glassfish.tyrus.core.TyrusSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one proxied WebSocket connection between the client session (server side, run by the servlet
 * container) and the upstream session (client side, run by Tyrus).
 *
 * <h2>Threading</h2>
 * Each container calls a session's handlers one at a time, so each direction has one reading thread. A
 * message part is sent to the other peer <em>inside</em> the handler with a blocking send: the container
 * reads the next frame only when the handler returns, which is the whole of the backpressure and bounds
 * memory per connection by one frame. All writes to a peer go through its {@link Peer}. Keepalive and idle
 * checks run on {@link RelayTimers} workers. {@link #state} and {@link #ending} are guarded by
 * {@link #lock}; no I/O happens while it is held.
 *
 * <h2>Lifecycle</h2>
 * CONNECTING (upstream open, client not yet upgraded; upstream messages wait for the client, so none is
 * lost) → OPEN → CLOSING (the first ending decided what the other side gets; it is being closed) →
 * CLOSED (both sides ended; the listener's terminal event and {@code onEnded} run exactly once).
 *
 * <h2>Closing</h2>
 * The code and reason decided by the ending are sent as they are: no idle timeout is shortened first (one
 * that fires at once on a hop already idle that long would replace them with the container's own 1001). A
 * close that may block runs on a worker; a side whose close handshake has not finished after
 * {@link #CLOSE_LINGER_MILLIS} is dropped ({@link Peer#abort()}), and after twice that the relay counts both
 * sides as ended. A failed write to a peer, or an error its container reports, does not end the relay at once:
 * the peer's own close, if it comes within the linger, decides (it is usually why the write failed). Whatever escapes a callback ends the relay
 * with 1011 both ways ({@link #guarded}).
 */
public final class Relay extends ConnectionInfo implements ProxiedConnection {

    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

    /** How long a close handshake may take before the connection is dropped. */
    static final long CLOSE_LINGER_MILLIS = 5_000;

    enum State { CONNECTING, OPEN, CLOSING, CLOSED }

    /** What ended the relay: decided once, by the first side to end. */
    private static final class Ending {
        final CloseReason toOtherSide;
        final boolean failed;
        final boolean byClient;
        final Throwable cause;
        final EndCause endCause;

        Ending(CloseReason toOtherSide, boolean failed, boolean byClient, Throwable cause, EndCause endCause) {
            this.toOtherSide = toOtherSide;
            this.failed = failed;
            this.byClient = byClient;
            this.cause = cause;
            this.endCause = endCause;
        }
    }

    private final RelayTimers timers;
    private final ProxyListener listener;
    private final Consumer<Relay> onEnded;
    private final CompletableFuture<Session> clientReady = new CompletableFuture<>();
    final Peer client = new Peer("client");
    /**
     * Pipelined whole text messages toward the upstream: Tyrus completes every blocking send on another thread,
     * a hand-off per relayed message otherwise (see {@link Peer}).
     */
    private final Peer upstream = new Peer("upstream", e -> writeFailed(this.upstream, e));
    private final UpstreamSide upstreamSide = new UpstreamSide();
    private final RelayClientEndpoint clientSide = new RelayClientEndpoint(this);
    private final long maxMessageSize;
    /** The route's rate limit on client messages, or null; used by the client's message handler thread only. */
    private final RateLimiter rateLimiter;

    private final Object lock = new Object();
    private State state = State.CONNECTING;
    private Ending ending;
    private boolean clientEnded;
    private boolean upstreamEnded;
    private boolean opened;

    private final RelayKeepalive keepalive;


    public Relay(String id, ProxyRoute route, String clientAddress, String path, URI upstreamUri,
                 RelayTimers timers, ProxyListener listener, Consumer<Relay> onEnded) {
        super(id, route, clientAddress, path, upstreamUri);
        this.timers = timers;
        this.listener = listener;
        this.onEnded = onEnded;
        this.maxMessageSize = route.maxMessageSize();
        this.rateLimiter = RateLimiter.of(route.rateLimit());
        this.keepalive = new RelayKeepalive(route, timers, client, upstream, new KeepaliveVerdicts());
    }

    /** The endpoint to connect upstream with. */
    public Endpoint upstreamEndpoint() {
        return upstreamSide;
    }

    /** The endpoint the container runs for the client once upgraded. */
    public RelayClientEndpoint clientEndpoint() {
        return clientSide;
    }

    /** Records the upstream's handshake outcome before the client is upgraded. */
    public void upstreamConnected(String chosenSubprotocol) {
        this.subprotocol = chosenSubprotocol;
        this.openedAt = Instant.now();
    }

    /** The client could not be upgraded: release the upstream. */
    public void clientUpgradeFailed(Throwable cause) {
        LOG.debug("[{}] client upgrade failed", id, cause);
        clientReady.completeExceptionally(cause);
        end(new Ending(CloseMapping.clientFailed(cause), true, true, cause, EndCause.CLIENT_LOST), false, true);
        markEnded(true);
    }

    /** Closes both peers with 1001 (proxy shutdown). */
    public void shutdown() {
        boolean neverAttached = clientReady.completeExceptionally(new IllegalStateException("proxy shutting down"));
        end(new Ending(CloseMapping.proxyShutdown(), false, false, null, EndCause.SHUTDOWN), true, true);
        if (neverAttached) {
            markEnded(true);
        }
    }

    /** Gives up on close handshakes still under way: marks both sides ended. */
    public void forceEnd() {
        shutdown();
        markEnded(true);
        markEnded(false);
    }

    // ---- relaying ---------------------------------------------------------------------------------

    private void upstreamToClient(String text, ByteBuffer binary, boolean last) {
        if (awaitClient() == null) {
            return;
        }
        long size = text != null ? Sizes.utf8Length(text) : binary.remaining();
        if (exceedsMessageLimit(upstream, size, last)) {
            return;
        }
        stats.frame(false, size, last);
        long now = System.nanoTime();
        keepalive.dataMoved(now);
        upstream.heard(now);
        if (client.hasWriteFailed()) {
            return;
        }
        try {
            if (text != null) {
                client.sendText(text, last, size);
            } else {
                client.sendBinary(binary, last, size);
            }
        } catch (IOException | RuntimeException e) {
            writeFailed(client, e);
        }
    }

    void clientToUpstream(String text, ByteBuffer binary, boolean last) {
        long size = text != null ? Sizes.utf8Length(text) : binary.remaining();
        if (exceedsMessageLimit(client, size, last) || (rateLimiter != null && overRateLimit(size, last))) {
            return;
        }
        stats.frame(true, size, last);
        long now = System.nanoTime();
        keepalive.dataMoved(now);
        client.heard(now);
        if (upstream.hasWriteFailed()) {
            return;
        }
        try {
            if (text != null) {
                upstream.sendText(text, last, size);
            } else {
                upstream.sendBinary(binary, last, size);
            }
        } catch (IOException | RuntimeException e) {
            writeFailed(upstream, e);
        }
    }

    /** Counts a part against the max-message limit; over it, closes both sides with 1009. */
    private boolean exceedsMessageLimit(Peer from, long partSize, boolean last) {
        long total = from.incomingMessageBytes + partSize;
        from.incomingMessageBytes = last ? 0 : total;
        if (total <= maxMessageSize) {
            return false;
        }
        String reason = from.name + " sent a message larger than the " + Sizes.format(maxMessageSize) + " limit";
        LOG.info("[{}] {}", id, reason);
        end(new Ending(CloseMapping.of(CloseMapping.TOO_BIG, reason), false, from == client, null, EndCause.TOO_BIG),
                true, true);
        return true;
    }

    /**
     * Counts a client part against the route's rate limit: waits out any debt on this thread (the container's,
     * so it reads no more from this client meanwhile), or closes both sides with 1008 when the limit closes.
     */
    private boolean overRateLimit(long partSize, boolean last) {
        if (rateLimiter.tripped()) {
            return true;
        }
        rateLimiter.consume(partSize, last);
        String reason = rateLimiter.closes() ? rateLimiter.exceeded() : null;
        if (reason == null) {
            rateLimiter.await();
            return false;
        }
        LOG.info("[{}] {}", id, reason);
        end(new Ending(CloseMapping.of(CloseMapping.POLICY_VIOLATION, reason), false, true, null,
                EndCause.RATE_LIMIT), true, true);
        return true;
    }

    // ---- keepalive ------------------------------------------------------------------------------

    /** The keepalive's findings end the relay through the same paths as the peers' own events. */
    private final class KeepaliveVerdicts implements RelayKeepalive.Verdicts {
        @Override
        public boolean open() {
            return currentState() == State.OPEN;
        }

        @Override
        public void peerDead(Peer peer, String reason) {
            Relay.this.peerDead(peer, reason);
        }

        @Override
        public void peerFailed(Peer peer, Throwable cause) {
            Relay.this.peerFailed(peer, cause);
        }

        @Override
        public void idle(String reason) {
            LOG.info("[{}] {}", id, reason);
            end(new Ending(CloseMapping.of(CloseMapping.GOING_AWAY, reason), false, false, null, EndCause.IDLE),
                    true, true);
        }
    }

    // ---- endings ----------------------------------------------------------------------------------

    /**
     * Runs an endpoint callback. Whatever escapes it ends the relay: both sides get 1011 and the log one WARN
     * line with the connection id (the stack trace at DEBUG), instead of a container swallowing it.
     */
    void guarded(String where, Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            LOG.warn("[{}] {} threw {}; closing both sides with 1011", id, where, CloseMapping.describe(e));
            LOG.debug("[{}] {} threw", id, where, e);
            end(new Ending(CloseMapping.of(CloseMapping.INTERNAL_ERROR, "proxy error in " + where), true, false, e,
                    EndCause.FAILURE), true, true);
        }
    }

    /** A peer's onClose: whatever happens while handling it, that side has ended. */
    void closedGuarded(Peer peer, CloseReason reason) {
        try {
            guarded(peer.name + " onClose", () -> peerClosed(peer, reason));
        } finally {
            markEnded(peer == client);
        }
    }

    private void peerClosed(Peer peer, CloseReason reason) {
        int code = CloseMapping.code(reason);
        LOG.debug("[{}] {} closed {} {}", id, peer.name, code, reason.getReasonPhrase());
        boolean fromClient = peer == client;
        boolean lost = code == 1006 || code == 1015;
        EndCause cause = EndCause.peer(fromClient, lost);
        stats.close(fromClient, code, reason.getReasonPhrase());
        CloseReason mapped = fromClient ? CloseMapping.clientClosed(reason) : CloseMapping.upstreamClosed(reason);
        if (!fromClient && CloseMapping.isUpstreamFrameOverflow(reason)) {
            cause = EndCause.TOO_BIG;
            mapped = CloseMapping.of(CloseMapping.TOO_BIG, "upstream sent a frame larger than the "
                    + Sizes.format(route.maxFrameSize()) + " limit");
        } else if (!fromClient && CloseMapping.isUpstreamProtocolViolation(reason)) {
            // the upstream client already sent 1002 to the upstream; the client is told the gateway failed
            LOG.warn("[{}] upstream broke the WebSocket protocol: {}", id, reason.getReasonPhrase());
            mapped = CloseMapping.of(CloseMapping.BAD_GATEWAY, "upstream broke the WebSocket protocol");
            cause = EndCause.PROTOCOL;
        }
        Throwable reported = peer.reportedError();
        if (lost && reported != null) {
            // no close frame came after the container's error report: the error is the ending, as it always was
            peerFailed(peer, reported);
            return;
        }
        end(new Ending(mapped, lost, fromClient, null, cause), !fromClient, fromClient);
    }

    /**
     * A peer's onError. The container may report an error while it is handling a close frame that peer sent, and
     * only then the close itself: Tomcat answers a close other than 1000 under its 50 ms abnormal-close send
     * timeout, and when that answer is late it calls onError (SocketTimeoutException) before onClose with the
     * peer's code. Ending the relay on the error would send the other side 1001/1014 instead of the peer's code.
     * So, as with a failed write, the peer's close decides if it is reported within the close linger; a lost
     * connection (1006/1015) or no close at all ends the relay with the error.
     */
    void errorReported(Peer peer, Throwable error) {
        if (!peer.errorReported(error)) {
            return;
        }
        LOG.debug("[{}] {} reported an error; its close, if one follows within {} ms, decides", id, peer.name,
                CLOSE_LINGER_MILLIS, error);
        if (!timers.tryAfter(Duration.ofMillis(CLOSE_LINGER_MILLIS), () -> peerFailed(peer, error))) {
            peerFailed(peer, error);
        }
    }

    void peerFailed(Peer peer, Throwable cause) {
        LOG.debug("[{}] {} failed", id, peer.name, cause);
        boolean fromClient = peer == client;
        CloseReason mapped = fromClient ? CloseMapping.clientFailed(cause) : CloseMapping.upstreamFailed(cause);
        stats.close(fromClient, 1006, "");
        end(new Ending(mapped, true, fromClient, cause, EndCause.peer(fromClient, true)), true, true);
    }

    /**
     * A write to {@code peer} failed. The peer may have sent a close frame that its reading side has not
     * reported yet (it closed, then our write hit the reset): that close decides what the other side gets,
     * if it is reported within the close linger; only then is the write failure the ending.
     */
    private void writeFailed(Peer peer, Throwable cause) {
        if (!peer.writeFailed(cause)) {
            return;
        }
        LOG.debug("[{}] write to {} failed; waiting up to {} ms for its close", id, peer.name, CLOSE_LINGER_MILLIS,
                cause);
        if (!timers.tryAfter(Duration.ofMillis(CLOSE_LINGER_MILLIS), () -> peerFailed(peer, cause))) {
            peerFailed(peer, cause);
        }
    }

    private void peerDead(Peer peer, String reason) {
        LOG.warn("[{}] {}; closing the connection", id, reason);
        boolean fromClient = peer == client;
        int code = fromClient ? CloseMapping.GOING_AWAY : CloseMapping.BAD_GATEWAY;
        end(new Ending(CloseMapping.of(code, reason), true, fromClient, null, EndCause.PING_TIMEOUT), true, true);
    }

    /**
     * The first ending wins: records it and closes the sides asked for (the other side with the mapped
     * reason; the ending side itself too when the proxy, not the peer, decided to end).
     */
    private void end(Ending candidate, boolean closeClient, boolean closeUpstream) {
        synchronized (lock) {
            if (state == State.CLOSING || state == State.CLOSED) {
                return;
            }
            state = State.CLOSING;
            ending = candidate;
            stats.endCause(candidate.endCause);
        }
        stats.closeSent(closeClient, closeUpstream, CloseMapping.code(candidate.toOtherSide),
                candidate.toOtherSide.getReasonPhrase());
        keepalive.stop();
        timers.tryAfter(Duration.ofMillis(CLOSE_LINGER_MILLIS), this::abortUnclosed);
        timers.tryAfter(Duration.ofMillis(2 * CLOSE_LINGER_MILLIS), this::lingerExpired);
        // a close that may block on a peer that stopped reading runs on its own worker, so it cannot hold up
        // the other side's close (nor the thread that decided the ending)
        if (closeUpstream) {
            Runnable closeIt = () -> upstream.close(candidate.toOtherSide, CLOSE_LINGER_MILLIS);
            if (upstream.session() instanceof TyrusSession) {
                closeIt.run(); // Tyrus queues the close frame and returns: done here, so a refused handshake
                               // has released its upstream before the client gets its answer
            } else {
                timers.submit(closeIt);
            }
        }
        if (closeClient) {
            timers.submit(() -> {
                if (awaitClient() != null) {
                    client.close(candidate.toOtherSide, CLOSE_LINGER_MILLIS);
                }
            });
        }
    }

    /** A close handshake still unfinished after the linger: drop that side's connection. */
    private void abortUnclosed() {
        boolean clientOpen;
        boolean upstreamOpen;
        synchronized (lock) {
            clientOpen = !clientEnded;
            upstreamOpen = !upstreamEnded;
        }
        if (clientOpen) {
            client.abort();
        }
        if (upstreamOpen) {
            upstream.abort();
        }
    }

    private void lingerExpired() {
        if (currentState() != State.CLOSED) {
            LOG.debug("[{}] close handshake did not finish; dropping the connection", id);
            markEnded(true);
            markEnded(false);
        }
    }

    private void markEnded(boolean clientSide) {
        Ending terminal;
        boolean notify;
        synchronized (lock) {
            if (clientSide) {
                clientEnded = true;
            } else {
                upstreamEnded = true;
            }
            if (!clientEnded || !upstreamEnded || state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            terminal = ending;
            notify = opened;
        }
        keepalive.stop();
        if (notify && terminal != null) {
            fireTerminal(terminal);
        }
        onEnded.accept(this);
    }

    private void fireTerminal(Ending e) {
        int code = CloseMapping.code(e.toOtherSide);
        String reason = e.toOtherSide.getReasonPhrase();
        LOG.debug("[{}] ended: {} {} ({})", id, code, reason, e.failed ? "failed" : "closed");
        try {
            if (e.failed) {
                listener.onFailed(this, code, reason, e.cause);
            } else {
                listener.onClosed(this, code, reason, e.byClient);
            }
        } catch (RuntimeException ex) {
            LOG.warn("[{}] listener threw", id, ex);
        }
    }

    private State currentState() {
        synchronized (lock) {
            return state;
        }
    }

    /** Waits for the client's upgrade (normally already done); {@code null} if it failed or never came. */
    private Session awaitClient() {
        Session session;
        try {
            session = clientReady.getNow(null);
        } catch (CompletionException | CancellationException e) {
            // the upgrade failed or the proxy shut down before it: nothing to send to
            return null;
        }
        if (session != null) {
            return session;
        }
        try {
            return clientReady.get(route.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("[{}] client upgrade did not complete within {}; closing upstream", id,
                    Durations.format(route.connectTimeout()));
            clientUpgradeFailed(e);
            return null;
        } catch (ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    void clientOpened(Session session) {
        client.attach(session);
        boolean open;
        synchronized (lock) {
            open = state == State.CONNECTING;
            if (open) {
                state = State.OPEN;
                opened = true;
            }
        }
        if (!clientReady.complete(session) || !open) {
            // ended while the client was being upgraded: finish the job on the new session
            Ending e;
            synchronized (lock) {
                e = ending;
            }
            CloseReason reason = e == null ? CloseMapping.proxyShutdown() : e.toOtherSide;
            timers.submit(() -> client.close(reason, CLOSE_LINGER_MILLIS));
            return;
        }
        if (open) {
            keepalive.start();
            try {
                listener.onOpen(this);
            } catch (RuntimeException ex) {
                LOG.warn("[{}] listener threw", id, ex);
            }
        }
    }

    @Override
    public long clientToUpstreamMessages() {
        return upstream.messagesSent;
    }

    @Override
    public long clientToUpstreamBytes() {
        return upstream.bytesSent;
    }

    @Override
    public long upstreamToClientMessages() {
        return client.messagesSent;
    }

    @Override
    public long upstreamToClientBytes() {
        return client.bytesSent;
    }

    /** Tyrus-side endpoint: events of the proxy-to-upstream session. */
    private final class UpstreamSide extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            upstream.attach(session);
            if (session instanceof TyrusSession) {
                upstream.watchForStalls(timers);
            }
            session.addMessageHandler(String.class, (MessageHandler.Partial<String>) (part, last) ->
                    guarded("upstream text handler", () -> upstreamToClient(part, null, last)));
            session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (part, last) ->
                    guarded("upstream binary handler", () -> upstreamToClient(null, part, last)));
            session.addMessageHandler(PongMessage.class,
                    (MessageHandler.Whole<PongMessage>) pong ->
                            stats.pingRtt(false, upstream.pongReceived()));
        }

        @Override
        public void onClose(Session session, CloseReason closeReason) {
            closedGuarded(upstream, closeReason);
        }

        @Override
        public void onError(Session session, Throwable error) {
            guarded("upstream onError", () -> errorReported(upstream, error));
        }
    }
}
