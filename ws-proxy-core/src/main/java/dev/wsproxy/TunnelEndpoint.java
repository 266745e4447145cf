package dev.wsproxy;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One side of a tunnel-mode connection as an adapter hands it to {@link HandshakeResult#clientUpgraded}: a
 * non-blocking byte stream. ws-proxy implements it over a Jetty {@code EndPoint} (the upstream, and the
 * client inside Jetty), over Tomcat's socket taken with its internal upgrade (the client of a plain Tomcat
 * connection), and over a servlet {@code WebConnection} (the client in Undertow, other containers, and TLS
 * connections in Tomcat); implement it only to mount the proxy in a server those do not cover.
 *
 * <p>Threading: the tunnel calls {@link #fill} and {@link #demand} from one direction's pump only (never
 * concurrently), and {@link #write} from the other direction's writer only (one write outstanding at a
 * time). {@link #close} may be called from any thread, more than once.
 */
public interface TunnelEndpoint {

    /**
     * Reads what is available without blocking, appending to {@code buffer} (which is in flush mode: its
     * readable bytes are between position and limit, and stay so).
     *
     * @return the number of bytes read (0: nothing now), or -1 at end of stream
     * @throws IOException when the connection failed
     */
    int fill(ByteBuffer buffer) throws IOException;

    /**
     * Asks to be told when {@link #fill} may return bytes, end of stream or a failure. Called only after
     * {@code fill} returned 0.
     *
     * @return {@code true} when bytes may be available already (call {@code fill} again; {@code onReadable}
     *     is then not called), {@code false} when {@code onReadable} will be called once later
     */
    boolean demand(Runnable onReadable);

    /**
     * Writes all of {@code buffers} and then runs exactly one of the callbacks, possibly on this thread before
     * this method returns. The buffers are not touched after the callback.
     */
    void write(Runnable onWritten, java.util.function.Consumer<Throwable> onFailed, ByteBuffer... buffers);

    /** Sends FIN once pending writes are done: the peer sees end of stream; reading goes on. */
    void shutdownOutput();

    /** Closes the connection at once; pending writes fail. Idempotent. */
    void close();

    /** Whether the buffers given to {@link #fill} must have a backing array. */
    default boolean needsHeapBuffers() {
        return false;
    }

    /** The peer's address, for logs. */
    String remoteAddress();
}
