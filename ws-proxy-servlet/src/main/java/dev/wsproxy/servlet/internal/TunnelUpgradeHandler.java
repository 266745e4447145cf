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
 * <p>Threading: reads happen on the thread that runs the tunnel's pump (a container thread calling
 * {@code onDataAvailable}, or an upstream I/O thread resuming after a write); writes on the upstream side's
 * pump thread and on container threads calling {@code onWritePossible}. The container calls each listener
 * only after {@code isReady()} returned false, so reads and writes each have one driver at a time; the
 * monitor of this object guards the wake-up and write state, never held while calling the tunnel.
 *
 * <p>An upgraded input stream is not safe to use while the container prepares an {@code onDataAvailable}
 * call (Undertow's I/O thread refills the stream's own buffer, Tomcat's fills the socket's read buffer). So,
 * as the Servlet contract intends, the stream is left alone from the moment it is known not ready (and before
 * the first call-back) until the container's next {@code onDataAvailable}, {@code onAllDataRead} or
 * {@code onError}; nothing is written before the first {@code onWritePossible}. Known gap on Tomcat 10.1/11:
 * Tomcat registers read interest again after every read call-back, so bytes arriving while the tunnel reads on
 * an upstream thread can start a concurrent {@code onDataAvailable}; rarely this corrupts Tomcat's read buffer
 * ({@code BufferUnderflowException}) and the connection is dropped with 1001.
 *
 * <p>Undertow (2.3 at least): its upgraded output stream's non-blocking {@code write(byte[], off, len)}
 * ignores {@code off} and {@code len} and writes the whole array, so a slice of a pooled read buffer would put
 * the rest of that buffer on the wire (the client then fails the connection with a protocol error). On
 * Undertow each write is therefore gathered into one array of exactly its bytes and written whole.
 */
public final class TunnelUpgradeHandler implements HttpUpgradeHandler, TunnelEndpoint, ReadListener, WriteListener {

    private HandshakeResult result;
    private WebConnection connection;
    private ServletInputStream in;
    private ServletOutputStream out;
    private String remote = "client";
    /** Whether the output stream needs whole arrays (Undertow), decided once the streams are known. */
    private boolean wholeArraysOnly;

    // read side, guarded by this
    private Runnable onReadable;
    private boolean readable;
    private boolean eof;
    /** The stream is not to be touched until the container's next read call-back (see above). */
    private boolean awaitingSignal = true;
    private long signals;
    private Throwable readFailure;

    // write side, guarded by this
    private ByteBuffer[] writing;
    private int writeIndex;
    private boolean flushed;
    private Runnable onWritten;
    private Consumer<Throwable> onWriteFailed;
    private boolean closed;
    /** No write before the container's first onWritePossible. */
    private boolean awaitingFirstWritable = true;

    public TunnelUpgradeHandler() {
    }

    /** Called by the filter right after {@code request.upgrade}; the container calls {@link #init} later. */
    public void attach(HandshakeResult result, String remoteAddress) {
        boolean start;
        synchronized (this) {
            this.result = result;
            this.remote = remoteAddress;
            start = connection != null;
        }
        if (start) {
            start();
        }
    }

    @Override
    public void init(WebConnection webConnection) {
        boolean start;
        synchronized (this) {
            this.connection = webConnection;
            start = result != null;
        }
        if (start) {
            start();
        }
    }

    private void start() {
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
        wake(() -> eof = true);
    }

    // ---- reading ---------------------------------------------------------------------------------

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        long seen;
        synchronized (this) {
            readable = false;
            if (readFailure != null) {
                throw readFailure instanceof IOException ? (IOException) readFailure : new IOException(readFailure);
            }
            if (eof || closed) {
                return -1;
            }
            if (awaitingSignal) {
                return 0;
            }
            seen = signals;
        }
        if (in.isFinished()) {
            return -1;
        }
        if (!in.isReady()) {
            awaitSignal(seen);
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
            awaitSignal(seen);
        }
        return n;
    }

    /** After the stream went not ready: no reads until a call-back newer than {@code seen}. */
    private synchronized void awaitSignal(long seen) {
        if (signals == seen) {
            awaitingSignal = true;
        }
    }

    @Override
    public synchronized boolean demand(Runnable callback) {
        if (readable || eof || readFailure != null) {
            readable = false;
            return true;
        }
        onReadable = callback;
        return false;
    }

    @Override
    public void onDataAvailable() {
        wake(() -> { });
    }

    @Override
    public void onAllDataRead() {
        wake(() -> eof = true);
    }

    @Override
    public void onError(Throwable t) {
        wake(() -> readFailure = t);
        Consumer<Throwable> failed;
        synchronized (this) {
            failed = writing != null ? onWriteFailed : null;
            writing = null;
        }
        if (failed != null) {
            failed.accept(t);
        }
    }

    private void wake(Runnable update) {
        Runnable callback;
        synchronized (this) {
            update.run();
            signals++;
            awaitingSignal = false;
            callback = onReadable;
            onReadable = null;
            if (callback == null) {
                readable = true;
            }
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
        synchronized (this) {
            awaitingFirstWritable = false;
        }
        continueWriting();
    }

    private void continueWriting() {
        Runnable done = null;
        Consumer<Throwable> failed = null;
        Throwable failure = null;
        synchronized (this) {
            if (writing == null || awaitingFirstWritable) {
                return;
            }
            try {
                while (writeIndex < writing.length) {
                    if (!out.isReady()) {
                        return; // onWritePossible continues
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
                    return;
                }
                if (!flushed) {
                    flushed = true;
                    out.flush();
                    if (!out.isReady()) {
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
        wake(() -> eof = true);
    }

    @Override
    public boolean readsOnlyInCallbacks() {
        return true;
    }

    /**
     * Tomcat runs one event per connection at a time, so while a container thread of this connection waits
     * for the upstream to take a write, {@code onWritePossible} cannot be delivered for it; the waiting thread
     * polls the output instead ({@code isReady()} flushes what the socket takes now).
     */
    @Override
    public void progressWrites() {
        continueWriting();
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
