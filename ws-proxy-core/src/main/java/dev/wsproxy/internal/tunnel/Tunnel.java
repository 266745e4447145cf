package dev.wsproxy.internal.tunnel;

import dev.wsproxy.TunnelEndpoint;
import dev.wsproxy.ProxyListener;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.internal.Durations;
import dev.wsproxy.internal.RelayTimers;
import dev.wsproxy.internal.metrics.EndCause;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied connection in tunnel mode: after both handshakes the bytes of the client's and the
 * upstream's TCP connections are relayed unchanged, in two {@link Direction}s, while their frame headers
 * drive keepalive, limits, close codes and counters.
 *
 * <h2>State machine</h2>
 * {@code CONNECTING_UPSTREAM -> AWAITING_CLIENT -> OPEN -> CLOSING -> CLOSED | FAILED}. Every transition
 * happens in {@link #transition} under {@link #lock}; the effects a transition decides on (writes, endpoint
 * closes, timer arming, listener calls) run after the lock is released. The first ending wins and decides
 * what both peers are told: a peer's close frame, a lost peer (1001 to the upstream, 1014 to the client),
 * or the proxy's own policy (idle, keepalive, limits, protocol errors, shutdown). A failed write does not
 * decide anything by itself: the peer's close frame, if one arrives before its connection ends, wins.
 *
 * <h2>Threading</h2>
 * Each direction's pump runs on I/O threads of the endpoint it reads; timers run on {@link RelayTimers}
 * workers. {@link #lock} guards the state, the ending and the close bookkeeping. Listener calls are made
 * outside the lock, {@code onOpen} before the one terminal event.
 */
public final class Tunnel extends TunnelInfo implements DirectionOwner, dev.wsproxy.internal.ProxiedConnection {

    private static final Logger LOG = LoggerFactory.getLogger(Tunnel.class);

    /** How long closing handshakes may take before both connections are dropped. */
    static final Duration CLOSE_LINGER = Duration.ofSeconds(5);

    /** The connection's life. */
    public enum State { CONNECTING_UPSTREAM, AWAITING_CLIENT, OPEN, CLOSING, CLOSED, FAILED }

    final RelayTimers timers;
    private final ProxyListener listener;
    private final Consumer<Tunnel> onEnded;
    private final BufferPool pool;

    final Object lock = new Object();
    private State state = State.CONNECTING_UPSTREAM;
    private Ending ending;
    private boolean opened;
    final TunnelPeer client = new TunnelPeer("client");
    final TunnelPeer upstream = new TunnelPeer("upstream");
    Direction clientToUpstream;
    Direction upstreamToClient;
    private ByteBuffer upstreamEarlyBytes;
    private boolean allowRsv1;
    private boolean allowOtherRsv;
    /** At most two at a time (the client deadline, then the keepalive tick): kept for the tunnel's life. */
    final List<ScheduledFuture<?>> timersArmed = new ArrayList<>(2);
    /** The AWAITING_CLIENT deadline: cancelled at the open, so an open tunnel does not keep it queued. */
    private ScheduledFuture<?> clientDeadlineTask;

    volatile long lastDataNanos = System.nanoTime();

    public Tunnel(String id, ProxyRoute route, String clientAddress, String path, URI upstreamUri, RelayTimers timers,
                  ProxyListener listener, BufferPool pool, Consumer<Tunnel> onEnded) {
        super(id, route, clientAddress, path, upstreamUri);
        this.timers = timers;
        this.listener = listener;
        this.pool = pool;
        this.onEnded = onEnded;
    }

    // ---- handshake phase -------------------------------------------------------------------------

    /**
     * The upstream answered 101: the tunnel now waits (at most the route's connect timeout) for the client
     * to be upgraded. Bytes the upstream sent after its 101 are kept for the client.
     *
     * @return false when the tunnel ended meanwhile (shutdown): the caller answers 503
     */
    public boolean upstreamConnected(UpstreamHandshake handshake) {
        synchronized (lock) {
            if (state != State.CONNECTING_UPSTREAM) {
                upstream.endpoint = handshake.endpoint;
            } else {
                upstream.endpoint = handshake.endpoint;
                upstreamEarlyBytes = handshake.earlyBytes;
                subprotocol = handshake.subprotocol;
                allowRsv1 = handshake.compression || handshake.otherExtensions;
                allowOtherRsv = handshake.otherExtensions;
                openedAt = Instant.now();
                state = State.AWAITING_CLIENT;
                clientDeadlineTask = timers.afterNonBlocking(route().connectTimeout(), this::clientDeadline);
                timersArmed.add(clientDeadlineTask);
                return true;
            }
        }
        handshake.endpoint.close();
        return false;
    }

    /** The upstream handshake failed: nothing was opened; releases the slot. */
    public void upstreamFailed() {
        synchronized (lock) {
            if (state != State.CONNECTING_UPSTREAM) {
                return;
            }
            state = State.FAILED;
        }
        onEnded.accept(this);
    }

    /**
     * The client was upgraded (its 101 sent): starts relaying.
     *
     * @param earlyBytes bytes the client sent right after its handshake, or {@code null}
     */
    public void clientAttached(TunnelEndpoint endpoint, ByteBuffer earlyBytes) {
        boolean open;
        ScheduledFuture<?> deadline = null;
        synchronized (lock) {
            client.endpoint = endpoint;
            open = state == State.AWAITING_CLIENT;
            if (open) {
                state = State.OPEN;
                deadline = clientDeadlineTask;
                clientDeadlineTask = null;
                timersArmed.remove(deadline);
                opened = true;
                NioTunnelEndpoint.moveOntoOneLoop(client, upstream);
                long maxFrame = route().maxFrameSize();
                long maxMessage = route().maxMessageSize();
                // The frame limit guards the upstream hop only (as in message mode, where the upstream client
                // buffers frames); the tunnel buffers none, and client frames are bounded by the message limit.
                clientToUpstream = new Direction("client", "upstream", true, client.endpoint, upstream.endpoint, this,
                        pool, allowRsv1, allowOtherRsv, Long.MAX_VALUE, maxMessage);
                upstreamToClient = new Direction("upstream", "client", false, upstream.endpoint, client.endpoint, this,
                        pool,
                        allowRsv1, allowOtherRsv, maxFrame, maxMessage);
                clientToUpstream.rateGate(RateGate.of(route().rateLimit(), this, timers));
                clientToUpstream.prefill(earlyBytes);
                upstreamToClient.prefill(upstreamEarlyBytes);
                upstreamEarlyBytes = null;
            }
        }
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (!open) {
            // ended while the client was being upgraded (shutdown, deadline): tell the client why
            Ending e;
            synchronized (lock) {
                e = ending;
            }
            endpoint.write(endpoint::close, x -> endpoint.close(),
                    Frames.close(e == null ? 1001 : e.code, e == null ? "proxy shutting down" : e.reason, false));
            return;
        }
        LOG.debug("[{}] tunnel open {} <-> {}", id(), endpoint.remoteAddress(), upstream.endpoint.remoteAddress());
        TunnelKeepalive.arm(this);
        try {
            listener.onOpen(this);
        } catch (RuntimeException ex) {
            LOG.warn("[{}] listener threw", id(), ex);
        } catch (Error error) {
            internalFailure("client onOpen", error);
        }
        clientToUpstream.start();
        upstreamToClient.start();
    }

    @Override
    public void internalFailure(Direction where, Throwable failure) {
        internalFailure(where + " relay", failure);
    }

    /**
     * Something escaped the proxy's own code (a bug, or an Error from a listener): the connection cannot be
     * trusted to go on, so both sides get 1011 and the log one WARN line with the connection id.
     */
    private void internalFailure(String where, Throwable failure) {
        LOG.warn("[{}] {} threw; closing both sides with 1011", id(), where, failure);
        String reason = "proxy error in " + where;
        proxyClose(1011, reason, 1011, reason, true, false, failure, EndCause.FAILURE);
    }

    /** The client could not be upgraded after the upstream accepted: close the upstream. */
    public void clientUpgradeFailed(Throwable cause) {
        LOG.debug("[{}] client upgrade failed", id(), cause);
        TunnelEndpoint up;
        synchronized (lock) {
            if (state != State.AWAITING_CLIENT && state != State.CONNECTING_UPSTREAM) {
                return;
            }
            state = State.FAILED;
            ending = new Ending(1001, "client went away during the upgrade", true, true, cause);
            up = upstream.endpoint;
        }
        closeBeforeOpen(up, "client went away during the upgrade");
    }

    private void clientDeadline() {
        TunnelEndpoint up;
        synchronized (lock) {
            if (state != State.AWAITING_CLIENT) {
                return;
            }
            state = State.FAILED;
            ending = new Ending(1001, "client upgrade did not complete within "
                    + Durations.format(route().connectTimeout()), true, true, null);
            up = upstream.endpoint;
        }
        LOG.warn("[{}] client upgrade did not complete within {}; closing upstream", id(),
                Durations.format(route().connectTimeout()));
        closeBeforeOpen(up, "client did not complete its upgrade");
    }

    private void closeBeforeOpen(TunnelEndpoint up, String reason) {
        cancelTimers();
        if (up != null) {
            up.write(up::close, x -> up.close(), Frames.close(1001, reason, true));
            timers.afterNonBlocking(CLOSE_LINGER, up::close);
        }
        onEnded.accept(this);
    }

    /** Proxy shutdown: 1001 to both peers. */
    public void shutdown() {
        TunnelEndpoint up = null;
        State was;
        synchronized (lock) {
            was = state;
            if (was == State.CONNECTING_UPSTREAM || was == State.AWAITING_CLIENT) {
                state = State.FAILED;
                ending = new Ending(1001, "proxy shutting down", false, false, null);
                up = upstream.endpoint;
            }
        }
        if (was == State.CONNECTING_UPSTREAM) {
            onEnded.accept(this); // the handshake, when it completes, finds the tunnel ended and closes
        } else if (was == State.AWAITING_CLIENT) {
            closeBeforeOpen(up, "proxy shutting down");
        } else {
            proxyClose(1001, "proxy shutting down", 1001, "proxy shutting down", false, false, null,
                    EndCause.SHUTDOWN);
        }
    }

    /** Drops both connections now (a drain deadline passed). */
    public void forceEnd() {
        shutdown();
        closeEndpoint(client, true);
        closeEndpoint(upstream, true);
    }

    public State state() {
        synchronized (lock) {
            return state;
        }
    }

    // ---- events from the directions ----------------------------------------------------------------

    private TunnelPeer peerOf(Direction from) {
        return from.fromClient ? client : upstream;
    }

    private TunnelPeer otherOf(Direction from) {
        return from.fromClient ? upstream : client;
    }

    /** The direction that writes to {@code peer}. */
    Direction toward(TunnelPeer peer) {
        return peer == client ? upstreamToClient : clientToUpstream;
    }

    @Override
    public void dataFrames(Direction from, int frames, long payloadBytes, int messages, long largestEnded,
                           long readNanos) {
        lastDataNanos = readNanos;
        count(from.fromClient, frames, payloadBytes, messages, largestEnded);
    }

    @Override
    public DirectionOwner.Verdict controlFrame(Direction from, int opcode, byte[] payload) {
        TunnelPeer source = peerOf(from);
        if (opcode == Frames.PONG) {
            if (source.answersOurPing(payload)) {
                source.awaitingPong = false;
                source.pongs++;
                stats().pingRtt(source == client, System.nanoTime() - source.pingSentNanos);
                return DirectionOwner.Verdict.DROP; // the answer to the proxy's own ping
            }
            return DirectionOwner.Verdict.FORWARD;
        }
        if (opcode == Frames.PING) {
            return DirectionOwner.Verdict.FORWARD;
        }
        // CLOSE
        int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        String reason = payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        if (payload.length == 1 || (payload.length >= 2 && !Frames.isTransmittable(code))) {
            violation(from, 1002, source.name + " sent an invalid close code " + (payload.length == 1 ? "(1 byte)"
                    : Integer.toString(code)));
            return DirectionOwner.Verdict.DROP;
        }
        LOG.debug("[{}] {} sent close {} {}", id(), source.name, code, reason);
        TunnelPeer target = otherOf(from);
        boolean forward;
        Runnable effects;
        synchronized (lock) {
            source.closeReceived = true;
            if (ending == null) {
                ending = new Ending(code == 1005 ? 1000 : code, reason, false, from.fromClient, null);
                stats().endCause(EndCause.peer(from.fromClient, false));
            }
            forward = !target.closeQueued && !target.broken;
            if (forward) {
                target.closeQueued = true;
            }
            effects = transition(State.CLOSING);
        }
        effects.run();
        stats().close(from.fromClient, code, reason);
        if (forward) {
            stats().close(!from.fromClient, code, reason);
        }
        checkDone(source);
        return forward ? DirectionOwner.Verdict.FORWARD : DirectionOwner.Verdict.DROP;
    }

    @Override
    public void violation(Direction from, int closeCode, String reason) {
        LOG.info("[{}] {}; closing with {}", id(), reason, closeCode);
        if (closeCode == 1009 || closeCode == 1008) { // too big, or over the rate limit
            proxyClose(closeCode, reason, closeCode, reason, false, from.fromClient, null,
                    closeCode == 1009 ? EndCause.TOO_BIG : EndCause.RATE_LIMIT);
        } else if (from.fromClient) {
            proxyClose(1002, reason, 1002, "client protocol error: " + reason, true, true, null,
                    EndCause.PROTOCOL);
        } else {
            proxyClose(1014, "upstream protocol error: " + reason, 1002, reason, true, false, null,
                    EndCause.PROTOCOL);
        }
    }

    @Override
    public void inputEnded(Direction from, Throwable failure) {
        TunnelPeer source = peerOf(from);
        TunnelPeer target = otherOf(from);
        boolean lost;
        boolean tell;
        Runnable effects;
        synchronized (lock) {
            source.inputEnded = true;
            lost = !source.closeReceived;
            if (lost) {
                stats().close(from.fromClient, 1006, ""); // gone: a close later "forwarded" to it never arrives
            }
            tell = lost && !target.closeQueued && !target.broken;
            if (tell) {
                target.closeQueued = true;
            }
            if (lost && ending == null) {
                boolean fromClient = from.fromClient;
                String what = failure == null || Ending.isConnectionLoss(failure) ? "connection lost"
                        : "connection failed: " + failure;
                ending = fromClient ? new Ending(1001, "client " + what, true, true, failure)
                        : new Ending(1014, "upstream " + what, true, false, failure);
                stats().endCause(EndCause.peer(fromClient, true));
            }
            effects = transition(State.CLOSING);
        }
        LOG.debug("[{}] {} input ended{}", id(), source.name, failure == null ? "" : ": " + failure);
        effects.run();
        if (tell) {
            Ending e;
            synchronized (lock) {
                e = ending;
            }
            boolean toUpstream = target == upstream;
            int code = e.failed ? (toUpstream ? 1001 : 1014) : e.code;
            stats().close(!toUpstream, code, e.reason);
            if (from.atBoundary()) {
                from.inject(Frames.close(code, e.reason, toUpstream));
            } else {
                // the peer vanished in the middle of a frame: no close frame can follow it
                closeEndpoint(target, true);
            }
        }
        closeEndpoint(source, false);
        checkDone(target);
    }

    @Override
    public void writeFailed(Direction to, Throwable failure) {
        TunnelPeer target = to.fromClient ? upstream : client;
        LOG.debug("[{}] write to {} failed: {}", id(), target.name, failure.toString());
        synchronized (lock) {
            target.broken = true;
        }
        Runnable effects;
        synchronized (lock) {
            effects = transition(State.CLOSING);
        }
        effects.run();
        checkDone(target);
    }

    @Override
    public void closeWritten(Direction to) {
        TunnelPeer target = to.fromClient ? upstream : client;
        synchronized (lock) {
            target.closeWritten = true;
        }
        checkDone(target);
    }

    /** Closes a peer's connection once its close handshake is over (or can go no further). */
    private void checkDone(TunnelPeer peer) {
        boolean done;
        synchronized (lock) {
            boolean nothingMoreToSend = peer.closeWritten || peer.broken;
            boolean nothingMoreToRead = peer.closeReceived || peer.inputEnded;
            done = nothingMoreToSend && nothingMoreToRead;
        }
        if (done) {
            closeEndpoint(peer, false);
        }
    }

    void closeEndpoint(TunnelPeer peer, boolean force) {
        boolean last;
        TunnelEndpoint endpoint;
        synchronized (lock) {
            if (peer.endpointClosed || peer.endpoint == null) {
                return;
            }
            if (!force && !(peer.inputEnded || peer.closeReceived || peer.broken)) {
                return;
            }
            peer.endpointClosed = true;
            endpoint = peer.endpoint;
            last = client.endpointClosed && upstream.endpointClosed;
        }
        Direction reading = peer == client ? clientToUpstream : upstreamToClient;
        if (reading != null) {
            reading.stop();
        }
        endpoint.close();
        if (last) {
            finish();
        }
    }

    // ---- the proxy's own closes, timers ------------------------------------------------------------

    /**
     * The proxy ends the connection: close frames to both peers at their next frame boundary, after which
     * their data is no longer relayed; each connection is closed when its peer answers (or at the linger).
     */
    void proxyClose(int toClient, String clientReason, int toUpstream, String upstreamReason, boolean failed,
                            boolean byClient, Throwable cause, EndCause endCause) {
        boolean tellClient;
        boolean tellUpstream;
        Runnable effects;
        synchronized (lock) {
            if (state != State.OPEN && state != State.CLOSING) {
                return;
            }
            if (ending == null) {
                ending = new Ending(toClient, clientReason, failed, byClient, cause);
                stats().endCause(endCause);
            }
            tellClient = !client.closeQueued && !client.broken;
            tellUpstream = !upstream.closeQueued && !upstream.broken;
            client.closeQueued = true;
            upstream.closeQueued = true;
            effects = transition(State.CLOSING);
        }
        effects.run();
        if (tellClient) {
            stats().close(true, toClient, clientReason);
            upstreamToClient.inject(Frames.close(toClient, clientReason, false));
            upstreamToClient.discardFromNextBoundary();
        }
        if (tellUpstream) {
            stats().close(false, toUpstream, upstreamReason);
            clientToUpstream.inject(Frames.close(toUpstream, upstreamReason, true));
            clientToUpstream.discardFromNextBoundary();
        }
    }

    /**
     * The one place transitions happen; call with {@link #lock} held. Returns the effects to run after the
     * lock is released.
     */
    private Runnable transition(State to) {
        State from = state;
        if (from == to || from == State.CLOSED || from == State.FAILED
                || (to == State.CLOSING && from != State.OPEN)) {
            return () -> { };
        }
        state = to;
        if (to == State.CLOSING) {
            List<ScheduledFuture<?>> armed = new ArrayList<>(timersArmed);
            timersArmed.clear();
            return () -> {
                armed.forEach(f -> f.cancel(false));
                timers.afterNonBlocking(CLOSE_LINGER, this::lingerExpired);
            };
        }
        return () -> { };
    }

    private void lingerExpired() {
        if (state() == State.CLOSING) {
            LOG.debug("[{}] close handshake did not finish within {}; dropping the connections", id(),
                    Durations.format(CLOSE_LINGER));
            closeEndpoint(client, true);
            closeEndpoint(upstream, true);
        }
    }

    private void finish() {
        Ending e;
        boolean notify;
        synchronized (lock) {
            if (state == State.CLOSED || state == State.FAILED) {
                return;
            }
            e = ending;
            state = e != null && e.failed ? State.FAILED : State.CLOSED;
            notify = opened;
        }
        cancelTimers();
        if (notify) {
            fireTerminal(e == null ? new Ending(1000, "", false, false, null) : e);
        }
        onEnded.accept(this);
    }

    private void fireTerminal(Ending e) {
        LOG.debug("[{}] ended: {} {} ({})", id(), e.code, e.reason, e.failed ? "failed" : "closed");
        try {
            if (e.failed) {
                listener.onFailed(this, e.code, e.reason, e.cause);
            } else {
                listener.onClosed(this, e.code, e.reason, e.byClient);
            }
        } catch (RuntimeException ex) {
            LOG.warn("[{}] listener threw", id(), ex);
        }
    }

    private void cancelTimers() {
        List<ScheduledFuture<?>> armed;
        synchronized (lock) {
            armed = new ArrayList<>(timersArmed);
            timersArmed.clear();
        }
        armed.forEach(f -> f.cancel(false));
    }
}
