package dev.wsproxy.internal;

/**
 * What the proxy needs of every live connection, whichever relay carries it ({@link Relay} in message
 * mode, {@code Tunnel} in tunnel mode): to end it gracefully on shutdown, and to drop it when the drain
 * deadline passed. Implementations are thread-safe and idempotent.
 */
public interface ProxiedConnection {

    /** Sends 1001 "proxy shutting down" to both peers and lets their close handshakes finish. */
    void shutdown();

    /** Drops both connections now. */
    void forceEnd();
}
