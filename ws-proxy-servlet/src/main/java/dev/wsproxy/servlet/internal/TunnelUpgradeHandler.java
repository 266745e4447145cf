package dev.wsproxy.servlet.internal;

import dev.wsproxy.HandshakeResult;
import dev.wsproxy.internal.tunnel.TunnelEndpoint;
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
 */
public final class TunnelUpgradeHandler implements HttpUpgradeHandler, TunnelEndpoint, ReadListener, WriteListener {

    private HandshakeResult result;
    private WebConnection connection;
    private ServletInputStream in;
    private ServletOutputStream out;
    private String remote = "client";

    // read side, guarded by this
    private Runnable onReadable;
    private boolean readable;
    private boolean eof;
    private Throwable readFailure;

    // write side, guarded by this
    private ByteBuffer[] writing;
    private int writeIndex;
    private boolean flushed;
    private Runnable onWritten;
    private Consumer<Throwable> onWriteFailed;
    private boolean closed;
    /**
     * Undertow's upgraded output stream (2.3.x) ignores {@code off} and {@code len} in non-blocking mode and
     * writes the whole array, so it only ever gets arrays that hold exactly the bytes to write.
     */
    private boolean wholeArraysOnly;

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
        synchronized (this) {
            readable = false;
            if (readFailure != null) {
                throw readFailure instanceof IOException ? (IOException) readFailure : new IOException(readFailure);
            }
            if (eof || closed) {
                return -1;
            }
        }
        if (in.isFinished()) {
            return -1;
        }
        if (!in.isReady()) {
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
        return n;
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
        synchronized (this) {
            if (closed) {
                failed.accept(new IOException("client connection closed"));
                return;
            }
            writing = buffers;
            writeIndex = 0;
            flushed = false;
            onWritten = written;
            onWriteFailed = failed;
        }
        continueWriting();
    }

    @Override
    public void onWritePossible() {
        continueWriting();
    }

    private void continueWriting() {
        Runnable done = null;
        Consumer<Throwable> failed = null;
        Throwable failure = null;
        synchronized (this) {
            if (writing == null) {
                return;
            }
            try {
                while (writeIndex < writing.length) {
                    if (!out.isReady()) {
                        return; // onWritePossible continues
                    }
                    ByteBuffer b = writing[writeIndex];
                    if (b.hasRemaining()) {
                        if (b.hasArray() && !(wholeArraysOnly && (b.arrayOffset() + b.position() != 0
                                || b.remaining() != b.array().length))) {
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
    public boolean needsHeapBuffers() {
        return true;
    }

    @Override
    public String remoteAddress() {
        return remote;
    }
}
