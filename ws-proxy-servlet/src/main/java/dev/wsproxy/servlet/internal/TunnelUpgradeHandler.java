package dev.wsproxy.servlet.internal;

import dev.wsproxy.HandshakeResult;
import dev.wsproxy.TunnelEndpoint;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The client side of a tunnel in any Servlet 6 container: the connection taken over with
 * {@code HttpServletRequest.upgrade}, read and written through the {@link WebConnection}'s non-blocking
 * streams ({@link ReadListener}/{@link WriteListener}). Public with a no-argument constructor because
 * containers instantiate it; not an API.
 *
 * <p>Threading: the stream is read only on a thread that runs one of the container's listener call-backs for
 * this connection ({@code onDataAvailable}, {@code onWritePossible}): Tomcat fills its socket read buffer on
 * such a thread (holding its per-connection lock), Undertow refills the stream's buffer on its I/O thread, so a
 * read from any other thread can race with them. {@link #fill} called elsewhere (the upstream's thread after a
 * write completed) returns 0, and {@link #demand} hands the read to a call-back thread. Writes start on the
 * upstream side's thread and continue in {@code onWritePossible}. The monitor of this object guards the read,
 * write and wake-up state; it is not held while calling the tunnel.
 *
 * <p>Which call-back thread reads next, so that no wake-up is lost: once {@code isReady()} of the input
 * returned false the container owes {@code onDataAvailable}, and once {@code isReady()} of the output returned
 * false (or before the first call) it owes {@code onWritePossible}. While neither is owed but the client may
 * have sent more (the last read left the stream ready) and the tunnel is still writing those bytes upstream,
 * the call-back thread stays in the call-back until the tunnel asks to read again, and reads there. It leaves
 * at once when a write to the client has to wait for {@code onWritePossible}: Tomcat runs one event per
 * connection at a time, so holding the thread would keep that call-back out, and when the upstream only reads
 * once it could write to the client (an echo) nothing would move again. The owed {@code onWritePossible} then
 * takes over the read. This hold is the tunnel's backpressure on the client, as a blocking servlet's read.
 *
 * <p>Undertow (2.3 at least): its upgraded output stream's non-blocking {@code write(byte[], off, len)}
 * ignores {@code off} and {@code len} and writes the whole array, so a slice of a pooled read buffer would put
 * the rest of that buffer on the wire (the client then fails the connection with a protocol error). On
 * Undertow each write is therefore gathered into one array of exactly its bytes and written whole.
 */
public final class TunnelUpgradeHandler extends ClientHandoff implements HttpUpgradeHandler, TunnelEndpoint, ReadListener, WriteListener {

    private WebConnection connection;
    private ServletInputStream in;
    private ServletOutputStream out;
    /** Whether the output stream needs whole arrays (Undertow), decided once the streams are known. */
    private boolean wholeArraysOnly;

    /** The thread running a container call-back for this connection now, else null; guarded by this. */
    private Thread callbackThread;

    // read side, guarded by this
    private Runnable onReadable;
    private boolean eof;
    /**
     * The input reported not ready (or no call-back came yet): the container owes {@code onDataAvailable}, and
     * the stream is not touched until then.
     */
    private boolean awaitingSignal = true;
    private Throwable readFailure;

    // write side, guarded by this
    private ByteBuffer[] writing;
    private int writeIndex;
    private boolean flushed;
    private Runnable onWritten;
    private Consumer<Throwable> onWriteFailed;
    private boolean closed;
    /**
     * The output reported not ready (or its first call-back has not come): the container owes
     * {@code onWritePossible}; nothing is written until then.
     */
    private boolean writeParked = true;

    public TunnelUpgradeHandler() {
    }

    @Override
    public void init(WebConnection webConnection) {
        synchronized (this) {
            this.connection = webConnection;
        }
        initialised();
    }

    @Override
    void start(HandshakeResult result) {
        WebConnection connection;
        synchronized (this) {
            connection = this.connection;
        }
        try {
            in = connection.getInputStream();
            out = connection.getOutputStream();
            wholeArraysOnly = out.getClass().getName().startsWith("io.undertow.");
            out.setWriteListener(this);
            in.setReadListener(this);
        } catch (IOException | RuntimeException e) {
            result.upgradeFailed(e);
            close();
            return;
        }
        result.clientUpgraded(this, null);
    }

    @Override
    public void destroy() {
        end(() -> eof = true);
    }

    // ---- reading ---------------------------------------------------------------------------------

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        synchronized (this) {
            if (readFailure != null) {
                throw readFailure instanceof IOException ? (IOException) readFailure : new IOException(readFailure);
            }
            if (eof || closed) {
                return -1;
            }
            if (awaitingSignal || Thread.currentThread() != callbackThread) {
                return 0; // demand() hands the read to a call-back thread
            }
        }
        if (in.isFinished()) {
            return -1;
        }
        if (!in.isReady()) {
            notReady();
            return 0;
        }
        if (buffer.position() == buffer.limit()) {
            buffer.position(0).limit(0);
        }
        int space = buffer.capacity() - buffer.limit();
        int n = in.read(buffer.array(), buffer.arrayOffset() + buffer.limit(), space);
        if (n < 0) {
            synchronized (this) {
                eof = true;
            }
            return -1;
        }
        buffer.limit(buffer.limit() + n);
        if (!in.isFinished() && !in.isReady()) {
            notReady();
        }
        return n;
    }

    /** On a call-back thread, after the input said not ready: the container owes onDataAvailable now. */
    private synchronized void notReady() {
        awaitingSignal = true;
    }

    @Override
    public synchronized boolean demand(Runnable callback) {
        if (eof || closed || readFailure != null) {
            return true;
        }
        if (!awaitingSignal && Thread.currentThread() == callbackThread) {
            return true;
        }
        onReadable = callback;
        notifyAll(); // a call-back thread holding for this read runs it
        return false;
    }

    @Override
    public void onDataAvailable() {
        Thread previous = enterCallback();
        try {
            synchronized (this) {
                awaitingSignal = false;
            }
            readWhileOwed();
        } finally {
            exitCallback(previous);
        }
    }

    @Override
    public void onAllDataRead() {
        end(() -> eof = true);
    }

    @Override
    public void onError(Throwable t) {
        end(() -> readFailure = t);
        Consumer<Throwable> failed;
        synchronized (this) {
            failed = writing != null ? onWriteFailed : null;
            writing = null;
        }
        if (failed != null) {
            failed.accept(t);
        }
    }

    private synchronized Thread enterCallback() {
        Thread previous = callbackThread;
        callbackThread = Thread.currentThread();
        return previous;
    }

    private synchronized void exitCallback(Thread previous) {
        callbackThread = previous;
    }

    /**
     * On a call-back thread: runs the tunnel's reads here for as long as this thread is the one to read next
     * (see the class comment), waiting between them while the tunnel writes what it read to the upstream.
     * Returns once the container owes a call-back that takes over, or the input ended.
     */
    private void readWhileOwed() {
        while (true) {
            Runnable callback;
            synchronized (this) {
                while (true) {
                    if (eof || closed || readFailure != null || awaitingSignal) {
                        return;
                    }
                    if (onReadable != null) {
                        callback = onReadable;
                        onReadable = null;
                        break;
                    }
                    if (writeParked) {
                        return; // the owed onWritePossible reads next; holding would keep it out
                    }
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
            callback.run();
        }
    }

    /** The input ended (end of stream, failure, closed): a waiting read is told, a holding thread leaves. */
    private void end(Runnable update) {
        Runnable callback;
        synchronized (this) {
            update.run();
            callback = onReadable;
            onReadable = null;
            notifyAll();
        }
        if (callback != null) {
            callback.run();
        }
    }

    // ---- writing ---------------------------------------------------------------------------------

    @Override
    public void write(Runnable written, Consumer<Throwable> failed, ByteBuffer... buffers) {
        ByteBuffer[] toWrite = wholeArraysOnly ? wholeArray(buffers) : buffers;
        synchronized (this) {
            if (closed) {
                failed.accept(new IOException("client connection closed"));
                return;
            }
            writing = toWrite;
            writeIndex = 0;
            flushed = false;
            onWritten = written;
            onWriteFailed = failed;
        }
        continueWriting();
    }

    /**
     * The bytes of {@code buffers} as one buffer over an array of exactly that length (for streams that
     * write whole arrays only); the given buffers are consumed.
     */
    private static ByteBuffer[] wholeArray(ByteBuffer[] buffers) {
        if (buffers.length == 1 && buffers[0].hasArray() && buffers[0].arrayOffset() == 0
                && buffers[0].position() == 0 && buffers[0].remaining() == buffers[0].array().length) {
            return buffers;
        }
        int total = 0;
        for (ByteBuffer b : buffers) {
            total += b.remaining();
        }
        byte[] bytes = new byte[total];
        int at = 0;
        for (ByteBuffer b : buffers) {
            int n = b.remaining();
            b.get(bytes, at, n);
            at += n;
        }
        return new ByteBuffer[] {ByteBuffer.wrap(bytes)};
    }

    @Override
    public void onWritePossible() {
        Thread previous = enterCallback();
        try {
            synchronized (this) {
                writeParked = false;
            }
            continueWriting();
            readWhileOwed(); // this call-back may be the one owed to a read (see the class comment)
        } finally {
            exitCallback(previous);
        }
    }

    private void continueWriting() {
        Runnable done = null;
        Consumer<Throwable> failed = null;
        Throwable failure = null;
        synchronized (this) {
            if (writing == null || writeParked) {
                return;
            }
            try {
                while (writeIndex < writing.length) {
                    if (!out.isReady()) {
                        parkWrite();
                        return;
                    }
                    ByteBuffer b = writing[writeIndex];
                    if (b.hasRemaining()) {
                        if (b.hasArray()) {
                            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
                        } else {
                            byte[] copy = new byte[b.remaining()];
                            b.duplicate().get(copy);
                            out.write(copy);
                        }
                        b.position(b.limit());
                    }
                    writeIndex++;
                }
                if (!out.isReady()) {
                    parkWrite();
                    return;
                }
                if (!flushed) {
                    flushed = true;
                    out.flush();
                    if (!out.isReady()) {
                        parkWrite();
                        return;
                    }
                }
                done = onWritten;
            } catch (IOException | RuntimeException e) {
                failure = e;
                failed = onWriteFailed;
            }
            writing = null;
            onWritten = null;
            onWriteFailed = null;
        }
        if (done != null) {
            done.run();
        } else if (failed != null) {
            failed.accept(failure);
        }
    }

    /**
     * Under this monitor, after the output said not ready: {@code onWritePossible} continues the write, and a
     * call-back thread holding for a read leaves so that the container can deliver it.
     */
    private void parkWrite() {
        writeParked = true;
        notifyAll();
    }

    @Override
    public void shutdownOutput() {
        try {
            out.close();
        } catch (IOException | RuntimeException e) {
            close();
        }
    }

    @Override
    public void close() {
        Consumer<Throwable> pendingWrite;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            pendingWrite = writing != null ? onWriteFailed : null;
            writing = null;
        }
        if (pendingWrite != null) {
            pendingWrite.accept(new IOException("client connection closed"));
        }
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (Exception e) {
            // already gone
        }
        end(() -> eof = true);
    }

    @Override
    public boolean needsHeapBuffers() {
        return true;
    }

    @Override
    public String remoteAddress() {
        return remote;
    }
}
