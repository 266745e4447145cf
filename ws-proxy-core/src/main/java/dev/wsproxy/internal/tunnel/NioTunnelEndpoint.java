package dev.wsproxy.internal.tunnel;

import dev.wsproxy.TunnelEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A plain TCP side of a tunnel read and written on one of the {@link NioLoops} threads, directly on the socket
 * channel of a {@link PlainSocket} whose owner no longer reads it: a Jetty {@code SocketChannelEndPoint} (no fill
 * interest, idle timeout off) or a Tomcat NIO connection upgraded for the tunnel. The owner keeps the
 * connection's life: {@link #close()} closes through it, so its connection counts and listeners stay right, and
 * a close by the owner (server stop) reaches the tunnel through {@link #closedUnderneath()}.
 *
 * <p>Reads: interest in reading stays registered between reads; after a read that did not fill the buffer the
 * next {@link #fill} answers 0 without a system call (the selector reports more when it comes, level
 * triggered). Writes: one gathering write, the rest on the loop when the socket is writable again.
 *
 * <p>Threading: as {@link TunnelEndpoint} requires; readiness callbacks run on the loop thread.
 */
final class NioTunnelEndpoint implements TunnelEndpoint, NioLoops.Ready {

    private static final Runnable NOTHING = () -> { };

    private final PlainSocket socket;
    private final SocketChannel channel;
    private final NioLoops.Loop loop;
    private final AtomicReference<Runnable> readCallback = new AtomicReference<>();
    /** The previous read did not fill the buffer: the socket is drained until the selector says otherwise. */
    private boolean drained;

    // ---- loop thread only ----
    private SelectionKey key;
    private int interest;

    // ---- write state, guarded by this (pending is read without it, to tell the interest wanted) ----
    private volatile ByteBuffer[] pending;
    private Runnable pendingDone;
    private Consumer<Throwable> pendingFailed;
    private boolean shutdownAfterWrite;
    private volatile boolean closed;

    /** Drives {@code socket} on {@code loop}; a close by its owner, even one before this, is noticed. */
    NioTunnelEndpoint(PlainSocket socket, NioLoops.Loop loop) {
        this.socket = socket;
        this.channel = socket.channel();
        this.loop = loop;
        socket.whenClosed(this::closedUnderneath);
    }

    /**
     * At a tunnel's open, under its lock: when the upstream connector chose a selector loop and both sides are plain
     * sockets their owners hand over (inside Jetty, or a Tomcat NIO connection), both move onto it (read and
     * written there directly). Otherwise both stay with their endpoints (moving only the upstream side gains
     * nothing beside a container's per-read dispatch), except a client side that can only be driven on a loop
     * ({@link PlainSocket.Source#drivenAlone()}), which moves alone.
     */
    static void moveOntoOneLoop(TunnelPeer client, TunnelPeer upstream) {
        if (!(upstream.endpoint instanceof JettyTunnelEndpoint) || !(client.endpoint instanceof PlainSocket.Source)) {
            return;
        }
        JettyTunnelEndpoint up = (JettyTunnelEndpoint) upstream.endpoint;
        PlainSocket.Source down = (PlainSocket.Source) client.endpoint;
        NioLoops.Loop loop = up.loop();
        if (loop == null) {
            return;
        }
        PlainSocket upSocket = up.plainSocket();
        if (upSocket == null && !down.drivenAlone()) {
            return;
        }
        PlainSocket downSocket = down.plainSocket();
        if (downSocket == null) {
            return;
        }
        if (upSocket != null) {
            upstream.endpoint = new NioTunnelEndpoint(upSocket, loop);
        }
        client.endpoint = new NioTunnelEndpoint(downSocket, loop);
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        if (closed) {
            // The owner closed the connection, or is closing it: Tomcat tells the handler before it closes the
            // channel, which would still read 0 here, and a pump woken by the close would spin on it.
            throw new ClosedChannelException();
        }
        if (drained) {
            drained = false;
            return 0;
        }
        int position = buffer.position();
        int limit = buffer.limit();
        int space = buffer.capacity() - limit;
        buffer.limit(buffer.capacity()).position(limit);
        int n;
        try {
            n = channel.read(buffer);
        } finally {
            buffer.limit(buffer.position()).position(position);
        }
        drained = n > 0 && n < space;
        return n;
    }

    @Override
    public boolean demand(Runnable onReadable) {
        readCallback.set(onReadable);
        if (closed) {
            // read now: the fill reports the closed channel (unless a concurrent close already runs the callback)
            return readCallback.compareAndSet(onReadable, null);
        }
        if (loop.inLoop()) {
            updateInterest();
        } else {
            loop.execute(this::updateInterest);
        }
        return false;
    }

    @Override
    public void write(Runnable onWritten, Consumer<Throwable> onFailed, ByteBuffer... buffers) {
        if (closed) {
            onFailed.accept(new ClosedChannelException()); // the owner may not have closed the channel yet
            return;
        }
        try {
            channel.write(buffers);
        } catch (IOException | RuntimeException e) {
            onFailed.accept(e);
            return;
        }
        if (!ByteBuffers.hasRemaining(buffers)) {
            onWritten.run();
            return;
        }
        synchronized (this) {
            if (closed) {
                onFailed.accept(new ClosedChannelException());
                return;
            }
            pending = buffers;
            pendingDone = onWritten;
            pendingFailed = onFailed;
        }
        if (loop.inLoop()) {
            updateInterest();
        } else {
            loop.execute(this::updateInterest);
        }
    }

    /** Loop thread: the socket is ready. */
    @Override
    public void ready(int readyOps) {
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            continueWrite();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0) {
            Runnable callback = readCallback.getAndSet(null);
            if (callback != null) {
                callback.run();
            }
        }
        updateInterest(); // drops read interest nobody asked for again (a direction waiting for its write)
    }

    /** Loop thread: registers the channel, or changes its interest set when the wanted one differs. */
    private void updateInterest() {
        int wanted = (readCallback.get() != null ? SelectionKey.OP_READ : 0) | (writePending() ? SelectionKey.OP_WRITE : 0);
        try {
            if (key == null) {
                if (wanted == 0 || !channel.isOpen()) {
                    return;
                }
                key = channel.register(loop.selector(), wanted, this);
                interest = wanted;
            } else if (!key.isValid()) {
                closedUnderneath(); // cancelled by a close: no exception for the common case
            } else if (wanted != interest) {
                key.interestOps(wanted);
                interest = wanted;
            }
        } catch (ClosedChannelException | CancelledKeyException e) {
            closedUnderneath();
        }
    }

    private boolean writePending() {
        return pending != null;
    }

    private void continueWrite() {
        ByteBuffer[] buffers;
        Runnable done;
        Consumer<Throwable> failed;
        synchronized (this) {
            buffers = pending;
            done = pendingDone;
            failed = pendingFailed;
        }
        if (buffers == null) {
            return;
        }
        try {
            channel.write(buffers);
        } catch (IOException | RuntimeException e) {
            clearPending();
            failed.accept(e);
            return;
        }
        if (ByteBuffers.hasRemaining(buffers)) {
            return;
        }
        boolean shutdown;
        synchronized (this) {
            shutdown = shutdownAfterWrite;
            shutdownAfterWrite = false;
        }
        clearPending();
        if (shutdown) {
            socket.shutdownOutput();
        }
        done.run();
    }

    private synchronized void clearPending() {
        pending = null;
        pendingDone = null;
        pendingFailed = null;
    }

    @Override
    public void shutdownOutput() {
        synchronized (this) {
            if (pending != null) {
                shutdownAfterWrite = true;
                return;
            }
        }
        socket.shutdownOutput();
    }

    @Override
    public void close() {
        socket.close();
        closedUnderneath();
    }

    /**
     * The connection is closed (by the tunnel or by its owner), or about to be (Tomcat tells its handler before it
     * closes the socket): closes the channel too, fails a pending write and wakes a waiting read.
     */
    void closedUnderneath() {
        Consumer<Throwable> failed;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            failed = pendingFailed;
        }
        clearPending();
        try {
            // The channel is registered with the loop's selector, which keeps its descriptor (with unread bytes,
            // and a peer still sending into them) until it selects again after the close: close it here, before
            // the loop is woken, rather than leave it to an owner that may close it later on its own thread.
            channel.close();
        } catch (IOException e) {
            // closed all the same
        }
        if (!loop.inLoop()) {
            loop.execute(NOTHING); // closed on another thread (the owner's, a timer's): the selector drops the key
        }
        if (failed != null) {
            failed.accept(new ClosedChannelException());
        }
        Runnable reader = readCallback.getAndSet(null);
        if (reader != null) {
            reader.run(); // the next fill reports the closed channel
        }
    }

    @Override
    public String remoteAddress() {
        return socket.remoteAddress();
    }

    @Override
    public String toString() {
        return "NioTunnelEndpoint[" + remoteAddress() + "]";
    }
}
