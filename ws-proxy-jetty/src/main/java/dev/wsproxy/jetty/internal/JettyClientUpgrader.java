package dev.wsproxy.jetty.internal;

import dev.wsproxy.HandshakeResult;
import dev.wsproxy.servlet.ClientUpgrader;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
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
}
