package dev.wsproxy.servlet;

import dev.wsproxy.HandshakeResult;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A container-specific way to take over a client's connection for a tunnel-mode upgrade, faster than the
 * portable {@code HttpServletRequest.upgrade}. {@code JettyWebSocketProxy.mount} installs one that hands
 * Jetty's own endpoint to the tunnel; without one, {@link WebSocketProxyFilter} uses the Servlet API's
 * {@code upgrade} with non-blocking {@code WebConnection} streams, which works in every Servlet 6 container.
 *
 * <p>Installed as the servlet context attribute {@link #ATTRIBUTE}. Implementations are thread-safe.
 */
public interface ClientUpgrader {

    /** The servlet context attribute under which the filter looks for an upgrader. */
    String ATTRIBUTE = ClientUpgrader.class.getName();

    /**
     * Answers 101 with {@link HandshakeResult#upgradeHeaders()} and arranges for
     * {@link HandshakeResult#clientUpgraded} to be called once the connection is switched.
     *
     * @return false when this request cannot be upgraded this way (the filter falls back to the portable path)
     * @throws Exception when the upgrade failed; the filter then releases the upstream
     */
    boolean upgrade(HttpServletRequest request, HttpServletResponse response, HandshakeResult result) throws Exception;
}
