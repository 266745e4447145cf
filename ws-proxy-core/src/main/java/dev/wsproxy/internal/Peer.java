package dev.wsproxy.internal;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One side of a relay (the client or the upstream): its session, the single place every write to it
 * goes through, and its keepalive and traffic counters.
 *
 * <p>Threading: message parts are sent by the other side's reading thread, pings by the keepalive timer;
 * both hold {@link #writeLock}, so sends never overlap (Jakarta basic remotes throw on overlap). Close
 * frames do not take the lock: containers queue control frames between data frames themselves, and a
 * close must get through even while a send is blocked on a peer that stopped reading. Counters have a
 * single writer each and are volatile for readers.
 *
 * <p>Pipelined whole text messages (only where enabled, see {@link #Peer(String, Consumer)}): a text message that
 * arrives whole is sent with the async remote and the reading thread moves on without waiting for the write,
 * up to {@link #MAX_PIPELINED_FRAMES} frames and {@link #MAX_PIPELINED_BYTES} bytes outstanding; past that it
 * blocks as before, so backpressure and the memory bound stay. A String is immutable, so nothing needs copying
 * (binary parts are container buffers, valid only during the handler: always sent blocking). Every other send
 * first waits for the outstanding ones, so frames leave in the order they arrived. {@link #pipelineLock} guards
 * the outstanding counts.
 */
final class Peer {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** Outstanding pipelined frames allowed per peer before the reading thread blocks. */
    static final int MAX_PIPELINED_FRAMES = 64;
    /** Outstanding pipelined bytes allowed per peer before the reading thread blocks. */
    static final long MAX_PIPELINED_BYTES = 256 * 1024;

    final String name;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Receives a pipelined send's failure; {@code null}: pipelining off, every send blocks. */
    private final Consumer<Throwable> pipelineFailed;
    private final Object pipelineLock = new Object();
    private int pipelinedFrames;
    private long pipelinedBytes;
    private volatile Session session;

    /** Tomcat's session user property bounding a blocking send, the close frame's included (ms). */
    static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

    /** Watches sends to a Tyrus session for the transport's lost wake-up; {@code null} for other sessions. */
    private volatile WriteStallWatch stallWatch;
    /** Completed sends to this peer (blocking and pipelined); the stall watch looks for it to move. */
    private volatile long completedSends;
    /** System.nanoTime() of the last frame handed to this peer (data or ping): keepalive counts from it. */
    private volatile long lastSentNanos = System.nanoTime();
    /** The first write to this peer that failed, or {@code null}; later parts to it are dropped. */
    private volatile Throwable writeFailure;
    /** The first error the container reported for this peer's session (onError), or {@code null}. */
    private volatile Throwable reportedError;

    /** System.nanoTime() when the current blocking send began, 0 when none is in progress. */
    private volatile long sendStartedNanos;
    /** System.nanoTime() of the last ping sent and not yet answered, 0 when none is outstanding. */
    private volatile long pingOutstandingSince;
    /**
     * System.nanoTime() of the last sign of life: a frame from this peer or a completed send to it. A peer
     * under backpressure cannot answer a ping in time (the pong waits behind data), but it shows life.
     */
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile long pongs;
    /** Whether a message was started and not finished; guarded by {@link #writeLock}. */
    private boolean midMessage;

    /** Counters of what was relayed <em>to</em> this peer. */
    volatile long messagesSent;
    volatile long bytesSent;
    /** Size of the message currently arriving <em>from</em> this peer, for the max-message limit. */
    long incomingMessageBytes;

    Peer(String name) {
        this(name, null);
    }

    /**
     * @param pipelineFailed where a pipelined send's failure goes; non-null turns pipelining of whole text
     *                       messages on (for a remote whose blocking send completes on another thread)
     */
    Peer(String name, Consumer<Throwable> pipelineFailed) {
        this.name = name;
        this.pipelineFailed = pipelineFailed;
    }

    void attach(Session session) {
        this.session = session;
    }

    /** Turns on the {@link WriteStallWatch} (for Tyrus sessions, whose JDK transport can lose a write). */
    void watchForStalls(RelayTimers timers) {
        stallWatch = new WriteStallWatch(this, timers);
    }

    Session session() {
        return session;
    }

    boolean isOpen() {
        Session s = session;
        return s != null && s.isOpen();
    }

    void sendText(String part, boolean last, long size) throws IOException {
        writeLock.lock();
        try {
            sendStarting();
            if (pipelineFailed != null && last && !midMessage) {
                sendPipelined(part, size);
                return;
            }
            awaitPipelined(0, 0);
            midMessage = !last;
            session.getBasicRemote().sendText(part, last);
            sent(size, last);
        } finally {
            sendStartedNanos = 0;
            writeLock.unlock();
        }
    }

    /** Caller holds {@link #writeLock}: marks a send as started (for keepalive, blocked-peer and stall checks). */
    private void sendStarting() {
        long now = System.nanoTime();
        sendStartedNanos = now;
        lastSentNanos = now;
        WriteStallWatch watch = stallWatch;
        if (watch != null) {
            watch.sendStarted();
        }
    }

    /** Bookkeeping after a completed blocking send; caller holds {@link #writeLock}. */
    private void sent(long size, boolean last) {
        long now = System.nanoTime();
        lastHeardNanos = now;
        lastSentNanos = now;
        completedSends++;
        bytesSent += size;
        if (last) {
            messagesSent++;
        }
    }

    void sendBinary(ByteBuffer part, boolean last, long size) throws IOException {
        writeLock.lock();
        try {
            sendStarting();
            awaitPipelined(0, 0);
            midMessage = !last;
            session.getBasicRemote().sendBinary(part, last);
            sent(size, last);
        } finally {
            sendStartedNanos = 0;
            writeLock.unlock();
        }
    }

    /** Caller holds {@link #writeLock}: waits for room, then hands the message to the async remote. */
    private void sendPipelined(String message, long size) throws IOException {
        awaitPipelined(MAX_PIPELINED_FRAMES - 1, Math.max(0, MAX_PIPELINED_BYTES - size));
        synchronized (pipelineLock) {
            pipelinedFrames++;
            pipelinedBytes += size;
        }
        try {
            session.getAsyncRemote().sendText(message, result -> {
                releasePipelined(size);
                if (result.isOK()) {
                    long now = System.nanoTime();
                    lastHeardNanos = now;
                    lastSentNanos = now;
                    completedSends++;
                } else {
                    pipelineFailed.accept(result.getException());
                }
            });
        } catch (RuntimeException e) {
            releasePipelined(size);
            throw e;
        }
        midMessage = false;
        bytesSent += size;
        messagesSent++;
    }

    /** A pipelined frame completed (or was never queued): frees its place and wakes waiting senders. */
    private void releasePipelined(long size) {
        synchronized (pipelineLock) {
            pipelinedFrames--;
            pipelinedBytes -= size;
            pipelineLock.notifyAll();
        }
    }

    /**
     * Blocks until at most {@code frames} pipelined frames and {@code bytes} bytes are outstanding. Bounded by
     * the session: a send that can never complete fails when the session closes, which completes it.
     */
    private void awaitPipelined(int frames, long bytes) throws IOException {
        if (pipelineFailed == null) {
            return;
        }
        synchronized (pipelineLock) {
            while (pipelinedFrames > frames || (pipelinedFrames > 0 && pipelinedBytes > bytes)) {
                Session s = session;
                if (s == null || !s.isOpen()) {
                    throw new IOException(name + " closed while sends were outstanding");
                }
                try {
                    pipelineLock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for " + name + " to take pipelined messages", e);
                }
            }
        }
    }

    /**
     * Sends a ping unless a data send is in progress or a fragmented message is half sent.
     *
     * <p>Never between the fragments of a message: Jetty 12's Jakarta remote forgets that a message is
     * in progress when any final frame, a ping included, is sent, and then opens the next fragment as a
     * new message (a protocol error). While a message streams, its completed sends show the peer alive.
     *
     * @return false when no ping was sent (the caller relies on {@link #blockedNanos} instead)
     */
    boolean tryPing(long nowNanos) throws IOException {
        if (!writeLock.tryLock()) {
            return false;
        }
        try {
            if (midMessage) {
                return false;
            }
            pingOutstandingSince = nowNanos;
            lastSentNanos = nowNanos;
            session.getBasicRemote().sendPing(EMPTY.duplicate());
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    /** A pong arrived: any outstanding ping is answered. Returns the ping's round trip, or -1 when none was out. */
    long pongReceived() {
        long since = pingOutstandingSince;
        long now = System.nanoTime();
        pingOutstandingSince = 0;
        lastHeardNanos = now;
        pongs++;
        return since == 0 ? -1 : now - since;
    }

    /** A data frame arrived from this peer. */
    void heard(long nowNanos) {
        lastHeardNanos = nowNanos;
    }

    /**
     * Whether a ping has been outstanding for at least {@code intervalNanos} and nothing at all was heard from
     * the peer since it was sent.
     */
    boolean silentSincePing(long nowNanos, long intervalNanos) {
        long since = pingOutstandingSince;
        return since != 0 && lastHeardNanos - since < 0 && nowNanos - since >= intervalNanos;
    }

    /** System.nanoTime() of the outstanding ping, 0 when none is. */
    long pingOutstandingSince() {
        return pingOutstandingSince;
    }

    /** System.nanoTime() of the last frame handed to this peer. */
    long lastSentNanos() {
        return lastSentNanos;
    }

    /** Completed sends so far; the stall watch compares it between looks. */
    long completedSends() {
        return completedSends;
    }

    /** Whether a blocking send is in progress or pipelined sends are outstanding. */
    boolean busy() {
        if (sendStartedNanos != 0) {
            return true;
        }
        synchronized (pipelineLock) {
            return pipelinedFrames > 0;
        }
    }

    /**
     * Writes an unsolicited pong (RFC 6455 section 5.5.3: no answer expected). On a Tyrus session that
     * neither waits nor checks the fragment state, and it makes the transport run its write queue again.
     */
    void kick() throws IOException {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.getBasicRemote().sendPong(EMPTY.duplicate());
        }
    }

    /**
     * Records the first failed write to this peer; returns false when one was already recorded. Later parts
     * for this peer are dropped while the relay waits to learn whether the peer had sent a close frame.
     */
    boolean writeFailed(Throwable cause) {
        synchronized (pipelineLock) {
            if (writeFailure != null) {
                return false;
            }
            writeFailure = cause;
            return true;
        }
    }

    /** Whether a write to this peer has failed. */
    boolean hasWriteFailed() {
        return writeFailure != null;
    }

    /**
     * Records the first error the container reported on this peer's session; returns false when one was already
     * recorded. The relay holds it back while the peer's own close may still be reported.
     */
    boolean errorReported(Throwable error) {
        synchronized (pipelineLock) {
            if (reportedError != null) {
                return false;
            }
            reportedError = error;
            return true;
        }
    }

    /** The first error the container reported on this peer's session, or {@code null}. */
    Throwable reportedError() {
        return reportedError;
    }

    long pongsReceived() {
        return pongs;
    }

    /** How long the current send has been blocked, 0 if none is in progress. */
    long blockedNanos(long nowNanos) {
        long started = sendStartedNanos;
        return started == 0 ? 0 : nowNanos - started;
    }

    /**
     * Starts this side's close handshake with exactly {@code reason}. Nothing shortens the container's idle
     * timeout first (Jetty would then send its own 1001 "Connection Idle Timeout" on a hop that was already
     * idle that long). May block while the frame is written: the relay calls it on a worker and calls
     * {@link #abort()} if the handshake has not finished within the linger. Tomcat's close waits for its
     * blocking-send timeout (20 s unless set), so that is bounded by the linger too.
     */
    void close(CloseReason reason, long lingerMillis) {
        Session s = session;
        if (s == null || !s.isOpen()) {
            return;
        }
        try {
            s.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT, lingerMillis);
            s.close(CloseMapping.sendable(s, reason));
        } catch (IOException | RuntimeException e) {
            // already closing or closed by the peer: nothing left to do
        }
    }

    /**
     * The close handshake did not finish within the linger: drops the connection. Only now is the idle
     * timeout shortened; the close frame was sent (or cannot be) long before.
     */
    void abort() {
        Session s = session;
        if (s == null || !s.isOpen()) {
            return;
        }
        try {
            s.setMaxIdleTimeout(1);
        } catch (RuntimeException e) {
            // closed meanwhile
        }
    }
}
