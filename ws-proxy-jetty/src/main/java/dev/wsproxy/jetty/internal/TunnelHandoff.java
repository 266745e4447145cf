package dev.wsproxy.jetty.internal;

import dev.wsproxy.HandshakeResult;
import dev.wsproxy.internal.tunnel.JettyTunnelEndpoint;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpStream;

/**
 * The connection Jetty installs on a client's endpoint once the 101 is written (set as the request's
 * {@link HttpStream#UPGRADE_CONNECTION_ATTRIBUTE}): it gives the raw endpoint, with any bytes already read past
 * the request, to the tunnel when opened, and tells the tunnel when Jetty closes the endpoint. It lives as long
 * as the tunnel, so it keeps nothing else. Called by Jetty on its threads, one event at a time.
 */
final class TunnelHandoff extends AbstractConnection implements Connection.UpgradeTo {
    /** Dropped once the tunnel has the endpoint. */
    private HandshakeResult result;
    private ByteBuffer early;
    private volatile JettyTunnelEndpoint side;

    TunnelHandoff(EndPoint endPoint, Executor executor, HandshakeResult result) {
        super(endPoint, executor);
        this.result = result;
    }

    @Override
    public void onUpgradeTo(ByteBuffer buffer) {
        if (buffer != null && buffer.hasRemaining()) {
            early = ByteBuffer.allocate(buffer.remaining()).put(buffer).flip();
        }
    }

    @Override
    public void onOpen() {
        super.onOpen();
        side = new JettyTunnelEndpoint(getEndPoint());
        HandshakeResult r = result;
        result = null;
        r.clientUpgraded(side, early);
        early = null;
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        JettyTunnelEndpoint s = side;
        if (s != null) {
            s.endpointClosed(); // a tunnel reading the socket directly learns of Jetty's close here
        }
    }

    @Override
    public void onFillable() {
        // never asked: the tunnel reads the endpoint itself
    }

    @Override
    public boolean onIdleExpired(TimeoutException timeout) {
        return false; // the tunnel has keepalive and its own idle timeout
    }
}
