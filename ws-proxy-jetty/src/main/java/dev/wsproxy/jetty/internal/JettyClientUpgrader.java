package dev.wsproxy.jetty.internal;

import dev.wsproxy.HandshakeResult;
import dev.wsproxy.internal.tunnel.JettyTunnelEndpoint;
import dev.wsproxy.servlet.ClientUpgrader;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.ByteBuffer;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpStream;

/**
 * Tunnel-mode upgrades inside Jetty 12 without the Servlet API's stream wrappers: the request is marked
 * with Jetty's {@link HttpStream#UPGRADE_CONNECTION_ATTRIBUTE} (as Jetty's own WebSocket and CONNECT
 * handlers do), the 101 is completed by the servlet response, and Jetty then hands the raw
 * {@link EndPoint} to a connection whose only job is to give it, with any bytes already read past the
 * request, to the tunnel. Thread-safe (stateless).
 */
public final class JettyClientUpgrader implements ClientUpgrader {

    @Override
    public boolean upgrade(HttpServletRequest request, HttpServletResponse response, HandshakeResult result) {
        ServletContextRequest core = ServletContextRequest.getServletContextRequest(request);
        if (core == null || core.getConnectionMetaData().getHttpVersion() != HttpVersion.HTTP_1_1) {
            return false;
        }
        Connection http = core.getConnectionMetaData().getConnection();
        EndPoint endPoint = http.getEndPoint();
        core.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE,
                new TunnelHandoff(endPoint, core.getConnectionMetaData().getConnector().getExecutor(), result));
        response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
        result.upgradeHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
        return true;
    }

    /** Installed on the client's endpoint once the 101 is written; starts the tunnel when opened. */
    private static final class TunnelHandoff extends AbstractConnection implements Connection.UpgradeTo {
        /** Dropped once the tunnel has the endpoint: this connection lives as long as the tunnel. */
        private HandshakeResult result;
        private ByteBuffer early;
        private volatile JettyTunnelEndpoint side;

        TunnelHandoff(EndPoint endPoint, java.util.concurrent.Executor executor, HandshakeResult result) {
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
        public boolean onIdleExpired(java.util.concurrent.TimeoutException timeout) {
            return false; // the tunnel has keepalive and its own idle timeout
        }
    }
}
