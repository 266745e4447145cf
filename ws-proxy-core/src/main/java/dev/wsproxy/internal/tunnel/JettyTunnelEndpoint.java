package dev.wsproxy.internal.tunnel;

import dev.wsproxy.TunnelEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.Callback;

/**
 * A {@link TunnelEndpoint} over a Jetty {@link EndPoint}: the upstream's connection (Jetty's
 * {@code ClientConnector}, with its TLS) and, inside Jetty, the client's. Fills, fill interest and
 * gathering writes map one to one; the endpoint's idle timeout is turned off (the tunnel has its own).
 * Thread-safe as the contract requires (one read demand and one write outstanding at a time); the Jetty
 * callbacks are reused while the caller passes the same runnables.
 */
public final class JettyTunnelEndpoint implements TunnelEndpoint, PlainSocket.Source {

    private final EndPoint endPoint;
    private volatile ReadCallback readCallback;
    private volatile WriteCallback writeCallback;
    /** Run when Jetty closed the endpoint, once a tunnel drives its socket directly. */
    private volatile Runnable closedListener;
    /** The loop the tunnel should run this connection (and its other side) on, when set by the connector. */
    private volatile NioLoops.Loop loop;

    public JettyTunnelEndpoint(EndPoint endPoint) {
        this.endPoint = endPoint;
        endPoint.setIdleTimeout(-1);
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        return endPoint.fill(buffer);
    }

    @Override
    public boolean demand(Runnable onReadable) {
        ReadCallback callback = readCallback;
        if (callback == null || callback.onReadable != onReadable) {
            callback = new ReadCallback(onReadable);
            readCallback = callback;
        }
        endPoint.fillInterested(callback);
        return false;
    }

    @Override
    public void write(Runnable onWritten, Consumer<Throwable> onFailed, ByteBuffer... buffers) {
        WriteCallback callback = writeCallback;
        if (callback == null || callback.onWritten != onWritten || callback.onFailed != onFailed) {
            callback = new WriteCallback(onWritten, onFailed);
            writeCallback = callback;
        }
        endPoint.write(callback, buffers);
    }

    /** Reused while the caller passes the same runnable (a direction does): no allocation per read. */
    private static final class ReadCallback implements Callback {
        final Runnable onReadable;

        ReadCallback(Runnable onReadable) {
            this.onReadable = onReadable;
        }

        @Override
        public void succeeded() {
            onReadable.run();
        }

        @Override
        public void failed(Throwable x) {
            onReadable.run(); // the next fill reports the failure
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }
    }

    /** Reused while the caller passes the same callbacks; one write is outstanding at a time. */
    private static final class WriteCallback implements Callback {
        final Runnable onWritten;
        final Consumer<Throwable> onFailed;

        WriteCallback(Runnable onWritten, Consumer<Throwable> onFailed) {
            this.onWritten = onWritten;
            this.onFailed = onFailed;
        }

        @Override
        public void succeeded() {
            onWritten.run();
        }

        @Override
        public void failed(Throwable x) {
            onFailed.accept(x);
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }
    }

    @Override
    public void shutdownOutput() {
        endPoint.shutdownOutput();
    }

    @Override
    public void close() {
        endPoint.close();
    }

    void loop(NioLoops.Loop loop) {
        this.loop = loop;
    }

    NioLoops.Loop loop() {
        return loop;
    }

    /** The plain TCP socket under this endpoint (no TLS or other layer), or null. */
    @Override
    public PlainSocket plainSocket() {
        if (endPoint.getClass() != SocketChannelEndPoint.class) {
            return null;
        }
        SocketChannel channel = ((SocketChannelEndPoint) endPoint).getChannel();
        return new PlainSocket() {
            @Override
            public SocketChannel channel() {
                return channel;
            }

            @Override
            public void shutdownOutput() {
                JettyTunnelEndpoint.this.shutdownOutput();
            }

            @Override
            public void close() {
                JettyTunnelEndpoint.this.close();
            }

            @Override
            public String remoteAddress() {
                return JettyTunnelEndpoint.this.remoteAddress();
            }

            @Override
            public void whenClosed(Runnable onClosed) {
                closedListener = onClosed;
                if (!endPoint.isOpen()) {
                    onClosed.run();
                }
            }
        };
    }

    /**
     * Jetty closed the endpoint (the connection on it was told): a tunnel reading the socket directly must
     * learn it here, as Jetty no longer wakes it. Call from the endpoint's connection's {@code onClose}.
     */
    public void endpointClosed() {
        Runnable listener = closedListener;
        if (listener != null) {
            listener.run();
        }
    }

    @Override
    public String remoteAddress() {
        return address(endPoint);
    }

    static String address(EndPoint endPoint) {
        SocketAddress address = endPoint.getRemoteSocketAddress();
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            return inet.getHostString() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    @Override
    public String toString() {
        return "JettyTunnelEndpoint[" + remoteAddress() + "]";
    }
}
