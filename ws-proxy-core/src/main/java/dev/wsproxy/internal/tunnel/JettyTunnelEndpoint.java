package dev.wsproxy.internal.tunnel;

import dev.wsproxy.TunnelEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;

/**
 * A {@link TunnelEndpoint} over a Jetty {@link EndPoint}: the upstream's connection (Jetty's
 * {@code ClientConnector}, with its TLS) and, inside Jetty, the client's. Fills, fill interest and
 * gathering writes map one to one; the endpoint's idle timeout is turned off (the tunnel has its own).
 */
public final class JettyTunnelEndpoint implements TunnelEndpoint {

    private final EndPoint endPoint;

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
        endPoint.fillInterested(new Callback() {
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
        });
        return false;
    }

    @Override
    public void write(Runnable onWritten, Consumer<Throwable> onFailed, ByteBuffer... buffers) {
        endPoint.write(new Callback() {
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
        }, buffers);
    }

    @Override
    public void shutdownOutput() {
        endPoint.shutdownOutput();
    }

    @Override
    public void close() {
        endPoint.close();
    }

    @Override
    public String remoteAddress() {
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
