package dev.wsproxy.internal.tunnel;

import java.nio.channels.SocketChannel;

/**
 * A plain TCP connection (no TLS or other layer) whose owner (Jetty, Tomcat) lets a tunnel read and write its
 * socket channel directly on one of the tunnel's selector loops once it no longer reads the channel itself. The
 * owner keeps the connection's life: {@link #close()} and {@link #shutdownOutput()} go through it, so its
 * connection counts and listeners stay right. Not an API: the servlet adapter implements it for Tomcat.
 *
 * <p>Threading: every method may be called from any thread.
 */
public interface PlainSocket {

    /** The connected, non-blocking channel; the owner does not read it or ask for readiness any more. */
    SocketChannel channel();

    /** Sends FIN, through the owner. */
    void shutdownOutput();

    /** Closes the connection through the owner; idempotent. */
    void close();

    /** The peer's address, for logs. */
    String remoteAddress();

    /**
     * Runs {@code onClosed} once when the owner closed the connection (server stop, or after {@link #close()}),
     * at once if that happened already.
     */
    void whenClosed(Runnable onClosed);

    /**
     * A tunnel side that can hand over its plain socket: the tunnel moves both sides onto one selector loop when
     * both can.
     */
    interface Source {
        /** This side's plain socket, or null when it cannot be driven directly (TLS, unread input, another I/O). */
        PlainSocket plainSocket();

        /**
         * Whether this side is driven on a loop even when the other side cannot be (its owner offers no reads of
         * its own once upgraded, as Tomcat's internal upgrade); else both sides move or neither.
         */
        default boolean drivenAlone() {
            return false;
        }
    }
}
