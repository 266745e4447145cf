package dev.wsproxy.servlet.internal;

import dev.wsproxy.HandshakeResult;
import dev.wsproxy.TunnelEndpoint;
import dev.wsproxy.internal.tunnel.ByteBuffers;
import dev.wsproxy.internal.tunnel.PlainSocket;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.Nio2Channel;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.SSLSupport;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * The client side of a tunnel inside Tomcat (10.1 and 11): the connection taken over with
 * {@code HttpServletRequest.upgrade} as one of Tomcat's internal upgrade handlers (the kind its own WebSocket
 * and HTTP/2 use), which hands over Tomcat's socket wrapper instead of servlet streams and leaves all further
 * I/O to the handler. Public with a no-argument constructor because Tomcat instantiates it; not an API, and
 * used only for plain (not TLS) connections of Tomcat ({@link TomcatUpgrade#applies}).
 *
 * <p>How the bytes move, by connector:
 * <ul>
 *   <li>NIO (Tomcat's default): the connection is a {@link PlainSocket}; the tunnel reads and writes its
 *       socket channel on its own selector loop, as inside Jetty. Tomcat's poller keeps the channel registered
 *       with no interest (it registers none for such a handler, and its read and write timeouts are off for
 *       upgraded connections), so nothing else touches it. This endpoint's own {@link #fill} and
 *       {@link #demand} are then not used, and {@link #write} only for the close frame of a tunnel that ended
 *       while its client was being upgraded (one non-blocking write).</li>
 *   <li>NIO2: the tunnel reads and writes the connection's asynchronous channel through this endpoint, one
 *       read and one write outstanding at a time, with Tomcat not reading it.</li>
 * </ul>
 * Bytes Tomcat read past the request head before the upgrade (a client that did not wait for the 101) are
 * handed to the tunnel first.
 *
 * <p>Closing goes through Tomcat: a {@code DISCONNECT} event is dispatched to the connection, so that Tomcat
 * releases its processor and counts the connection closed under its own per-connection lock (a close from
 * another thread could race with the container thread that is still finishing the upgrade). On NIO the tunnel's
 * endpoint closes the channel itself at once, before Tomcat does.
 *
 * <p>Threading: as {@link TunnelEndpoint} requires. Tomcat calls {@link #setSocketWrapper} and {@link #init} on
 * the container thread that upgraded the connection, and {@link #upgradeDispatch} and {@link #destroy} on
 * container threads one at a time; the monitor of this object guards the read, write and close state and is
 * not held while calling the tunnel or starting I/O.
 */
public final class TomcatTunnelHandler extends ClientHandoff implements InternalHttpUpgradeHandler, TunnelEndpoint, PlainSocket.Source {

    /** NIO2: bytes read per asynchronous read (a buffer held only while a read is in progress or unfilled). */
    private static final int INBOX_SIZE = 16 * 1024;

    private SocketWrapperBase<?> wrapper;
    /** The connection's channel, by connector (one of them), set at the start; guarded by this. */
    private SocketChannel nio;
    private AsynchronousSocketChannel nio2;
    /** Set once the tunnel drives the socket itself; Tomcat's close is reported to it. */
    private volatile Runnable closedListener;

    // guarded by this
    private Runnable onReadable;
    /** NIO2: the buffer of the read in progress, or of bytes read and not yet filled; null when neither. */
    private ByteBuffer inbox;
    private boolean reading;
    private boolean eof;
    private Throwable readFailure;
    private ByteBuffer[] writing;
    private Runnable onWritten;
    private Consumer<Throwable> onWriteFailed;
    private boolean shutdownAfterWrite;
    private boolean closing;
    private boolean destroyed;

    public TomcatTunnelHandler() {
    }

    @Override
    public void setSocketWrapper(SocketWrapperBase<?> wrapper) {
        synchronized (this) {
            this.wrapper = wrapper;
        }
    }

    @Override
    public void init(WebConnection connection) {
        initialised(); // Tomcat set the socket wrapper before
    }

    /** Tomcat's wrapper and the filter's result are both known: the tunnel starts. */
    @Override
    void start(HandshakeResult result) {
        SocketWrapperBase<?> socket;
        synchronized (this) {
            socket = wrapper;
        }
        if (socket == null) {
            result.upgradeFailed(new IllegalStateException("Tomcat gave no socket to the upgrade handler"));
            return;
        }
        // exactly these classes: their TLS subclasses need Tomcat's reads and writes (the filter sends TLS
        // connections to the portable handler)
        Object channel = socket.getSocket();
        if (channel == null || channel.getClass() != NioChannel.class && channel.getClass() != Nio2Channel.class) {
            result.upgradeFailed(new IllegalStateException("a Tomcat connection of kind "
                    + (channel == null ? "none" : channel.getClass().getName()) + " cannot be tunnelled"));
            close();
            return;
        }
        synchronized (this) {
            nio = channel.getClass() == NioChannel.class ? ((NioChannel) channel).getIOChannel() : null;
            nio2 = channel.getClass() == Nio2Channel.class ? ((Nio2Channel) channel).getIOChannel() : null;
        }
        ByteBuffer early = null;
        try {
            if (socket.hasDataToWrite()) {
                socket.flush(true); // the 101's last bytes (Tomcat ends the upgrade's response with them written)
            }
            if (!socket.getSocketBufferHandler().isReadBufferEmpty()) {
                // the client sent bytes right behind its handshake, and Tomcat read them with the request head
                ByteBuffer bytes = ByteBuffer.allocate(socket.getSocketBufferHandler().getReadBuffer().capacity());
                socket.read(false, bytes);
                early = bytes.flip();
            }
        } catch (IOException | RuntimeException e) {
            result.upgradeFailed(e);
            close();
            return;
        }
        result.clientUpgraded(this, early);
    }

    // ---- NIO: the tunnel drives the socket itself ------------------------------------------------

    @Override
    public boolean drivenAlone() {
        return true;
    }

    @Override
    public PlainSocket plainSocket() {
        SocketChannel io;
        synchronized (this) {
            io = nio;
            if (io == null || closing || destroyed) {
                return null;
            }
        }
        return new PlainSocket() {
            @Override
            public SocketChannel channel() {
                return io;
            }

            @Override
            public void shutdownOutput() {
                shutdownSocketOutput();
            }

            @Override
            public void close() {
                TomcatTunnelHandler.this.close();
            }

            @Override
            public String remoteAddress() {
                return remote;
            }

            @Override
            public void whenClosed(Runnable onClosed) {
                boolean already;
                synchronized (TomcatTunnelHandler.this) {
                    closedListener = onClosed;
                    already = destroyed;
                }
                if (already) {
                    onClosed.run();
                }
            }
        };
    }

    // ---- NIO2: through the connection's asynchronous channel ----------------------------------

    /** The NIO2 channel, or null (NIO: the tunnel drives the socket itself). */
    private synchronized AsynchronousSocketChannel async() {
        return nio2;
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        synchronized (this) {
            if (readFailure != null) {
                throw readFailure instanceof IOException ? (IOException) readFailure : new IOException(readFailure);
            }
            if (inbox == null || reading) {
                return eof || closing || destroyed ? -1 : 0;
            }
            int position = buffer.position();
            int limit = buffer.limit();
            int n = Math.min(inbox.remaining(), buffer.capacity() - limit);
            buffer.limit(limit + n).position(limit);
            buffer.put(inbox.array(), inbox.arrayOffset() + inbox.position(), n);
            buffer.position(position);
            inbox.position(inbox.position() + n);
            if (!inbox.hasRemaining()) {
                inbox = null;
            }
            return n;
        }
    }

    @Override
    public boolean demand(Runnable callback) {
        AsynchronousSocketChannel channel = async();
        ByteBuffer into;
        synchronized (this) {
            if (inbox != null && !reading || eof || closing || destroyed || readFailure != null) {
                return true; // fill has bytes, or reports the end
            }
            if (channel == null) {
                readFailure = new IOException("this Tomcat connection was not handed to the tunnel's selector loop");
                return true;
            }
            onReadable = callback;
            if (reading) {
                return false;
            }
            reading = true;
            into = inbox = ByteBuffer.allocate(INBOX_SIZE);
        }
        try {
            channel.read(into, null, readDone);
        } catch (RuntimeException e) {
            readDone.failed(e, null);
        }
        return false;
    }

    /** An asynchronous read ended: its bytes (or the end, or the failure) are for the next fill. */
    private final CompletionHandler<Integer, Void> readDone = new CompletionHandler<>() {
        @Override
        public void completed(Integer n, Void unused) {
            synchronized (TomcatTunnelHandler.this) {
                reading = false;
                if (n < 0) {
                    eof = true;
                    inbox = null;
                } else {
                    inbox.flip();
                }
            }
            wakeReader();
        }

        @Override
        public void failed(Throwable failure, Void unused) {
            synchronized (TomcatTunnelHandler.this) {
                reading = false;
                inbox = null;
                readFailure = failure;
            }
            wakeReader();
        }
    };

    @Override
    public void write(Runnable written, Consumer<Throwable> failed, ByteBuffer... buffers) {
        AsynchronousSocketChannel channel = async();
        if (channel == null) {
            writeUnmoved(written, failed, buffers);
            return;
        }
        synchronized (this) {
            if (destroyed || closing) {
                failed.accept(new ClosedChannelException());
                return;
            }
            writing = buffers;
            onWritten = written;
            onWriteFailed = failed;
        }
        writeMore(channel, buffers);
    }

    /**
     * NIO, the socket not handed to a loop: only the tunnel's last frame to a client it never opened (it ended
     * while the client was upgraded: shutdown, deadline). One non-blocking write; a frame the socket does not
     * take at once fails, and the tunnel then closes the connection.
     */
    private void writeUnmoved(Runnable written, Consumer<Throwable> failed, ByteBuffer... buffers) {
        SocketChannel plain;
        synchronized (this) {
            plain = destroyed || closing ? null : nio;
        }
        if (plain == null) {
            failed.accept(new ClosedChannelException());
            return;
        }
        try {
            plain.write(buffers);
        } catch (IOException | RuntimeException e) {
            failed.accept(e);
            return;
        }
        if (ByteBuffers.hasRemaining(buffers)) {
            failed.accept(new IOException("the client's socket did not take the frame at once"));
            return;
        }
        written.run();
    }

    private void writeMore(AsynchronousSocketChannel channel, ByteBuffer[] buffers) {
        try {
            channel.write(buffers, 0, buffers.length, 0L, TimeUnit.MILLISECONDS, channel, writeDone);
        } catch (RuntimeException e) {
            writeEnded(e);
        }
    }

    /** An asynchronous write ended: the rest is written, or the write completes. */
    private final CompletionHandler<Long, AsynchronousSocketChannel> writeDone = new CompletionHandler<>() {
        @Override
        public void completed(Long n, AsynchronousSocketChannel channel) {
            ByteBuffer[] buffers;
            synchronized (TomcatTunnelHandler.this) {
                buffers = writing;
            }
            if (buffers == null) {
                return; // failed meanwhile by a close
            }
            if (ByteBuffers.hasRemaining(buffers)) {
                writeMore(channel, buffers);
                return;
            }
            writeEnded(null);
        }

        @Override
        public void failed(Throwable failure, AsynchronousSocketChannel channel) {
            writeEnded(failure);
        }
    };

    private void writeEnded(Throwable failure) {
        Runnable done;
        Consumer<Throwable> failed;
        boolean shutdown;
        synchronized (this) {
            done = onWritten;
            failed = onWriteFailed;
            shutdown = shutdownAfterWrite && failure == null;
            shutdownAfterWrite = false;
            writing = null;
            onWritten = null;
            onWriteFailed = null;
        }
        if (shutdown) {
            shutdownSocketOutput();
        }
        if (failure != null && failed != null) {
            failed.accept(failure);
        } else if (failure == null && done != null) {
            done.run();
        }
    }

    @Override
    public SocketState upgradeDispatch(SocketEvent status) {
        switch (status) {
            case OPEN_READ:
            case OPEN_WRITE:
            case TIMEOUT:
                return SocketState.ASYNC_IO; // not asked for: this handler does its own I/O, and has no Tomcat timeouts
            default: // STOP, ERROR, DISCONNECT, CONNECT_FAIL
                ended();
                return SocketState.CLOSED;
        }
    }

    @Override
    public void shutdownOutput() {
        synchronized (this) {
            if (writing != null) {
                shutdownAfterWrite = true;
                return;
            }
        }
        shutdownSocketOutput();
    }

    private void shutdownSocketOutput() {
        SocketChannel plain;
        AsynchronousSocketChannel channel;
        synchronized (this) {
            plain = nio;
            channel = nio2;
        }
        try {
            if (plain != null) {
                plain.shutdownOutput();
            } else if (channel != null) {
                channel.shutdownOutput();
            }
        } catch (IOException | RuntimeException e) {
            close();
        }
    }

    /**
     * Closes through Tomcat: a {@code DISCONNECT} event makes it release its processor (calling {@link #destroy})
     * and close the socket, under its per-connection lock. A pending write fails and a waiting read is woken now.
     */
    @Override
    public void close() {
        SocketWrapperBase<?> socket;
        synchronized (this) {
            if (closing || destroyed) {
                return;
            }
            closing = true;
            socket = wrapper;
        }
        failPending(new ClosedChannelException());
        if (socket != null) {
            socket.processSocket(SocketEvent.DISCONNECT, true);
        }
    }

    /** Tomcat released the connection (after our close, or its own: server stop, an error). */
    @Override
    public void destroy() {
        ended();
    }

    private void ended() {
        Runnable listener;
        synchronized (this) {
            if (destroyed) {
                return;
            }
            destroyed = true;
            listener = closedListener;
        }
        failPending(new ClosedChannelException());
        if (listener != null) {
            listener.run();
        }
    }

    /** Fails a pending write and wakes a waiting read (whose next fill reports the end). */
    private void failPending(Throwable failure) {
        writeEnded(failure);
        wakeReader();
    }

    /** Runs the read callback a demand left, if any: its fill finds bytes, the end or the failure. */
    private void wakeReader() {
        Runnable reader;
        synchronized (this) {
            reader = onReadable;
            onReadable = null;
        }
        if (reader != null) {
            reader.run();
        }
    }

    @Override
    public void timeoutAsync(long now) {
        // the tunnel keeps its own idle and keepalive timers
    }

    @Override
    public void setSslSupport(SSLSupport sslSupport) {
        // TLS connections are upgraded with the portable handler
    }

    @Override
    public void pause() {
        // a tunnel has no requests to stop taking; the proxy's own shutdown closes it
    }

    @Override
    public boolean hasAsyncIO() {
        return true; // Tomcat registers no interest on this connection: the handler starts all further I/O
    }

    @Override
    public boolean needsHeapBuffers() {
        return false;
    }

    @Override
    public String remoteAddress() {
        return remote;
    }

    @Override
    public String toString() {
        return "TomcatTunnelHandler[" + remote + "]";
    }
}
