package dev.wsproxy.internal.tunnel;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.EndPoint;

/**
 * The Jetty connection left on an endpoint once a tunnel has it: it never reads (the tunnel does), never
 * expires (the tunnel has keepalive and its own idle timeout), and tells the tunnel's side when Jetty closes
 * the endpoint. Small on purpose: it lives as long as the tunnel. Thread-safe.
 */
public final class HeldConnection extends AbstractConnection {

    private final JettyTunnelEndpoint tunnelSide;

    public HeldConnection(EndPoint endPoint, Executor executor, JettyTunnelEndpoint tunnelSide) {
        super(endPoint, executor);
        this.tunnelSide = tunnelSide;
    }

    @Override
    public void onFillable() {
        // never asked: the tunnel reads the endpoint itself
    }

    @Override
    public boolean onIdleExpired(TimeoutException timeout) {
        return false;
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        tunnelSide.endpointClosed();
    }
}
