package dev.wsproxy.internal;

import jakarta.websocket.Session;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import org.glassfish.tyrus.core.TyrusWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the write queue of a Tyrus session by writing zero bytes, for the lost wake-up described in
 * {@link WriteStallWatch}. Needed after a close: the close frame is the last write, so nothing else would
 * ever run the queue if it was lost, and a closed {@code TyrusSession} accepts no more sends (its web socket
 * does, while the close handshake is under way).
 *
 * <p>Tyrus keeps the web socket in a package-private field of its remote endpoints, read here reflectively
 * once per session; if a Tyrus release renames it, this logs once at DEBUG and does nothing. Stateless;
 * thread-safe.
 */
final class TyrusWriteQueue {

    private static final Logger LOG = LoggerFactory.getLogger(TyrusWriteQueue.class);
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);
    private static final Field WEB_SOCKET = webSocketField();

    private TyrusWriteQueue() {
    }

    private static Field webSocketField() {
        try {
            Field field = Class.forName("org.glassfish.tyrus.core.TyrusRemoteEndpoint").getDeclaredField("webSocket");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("cannot reach Tyrus's web socket ({}); lost close frames are not re-sent", e.toString());
            return null;
        }
    }

    /** The Tyrus web socket under {@code session}, or {@code null} when it cannot be reached. */
    static TyrusWebSocket webSocket(Session session) {
        if (WEB_SOCKET == null) {
            return null;
        }
        try {
            return (TyrusWebSocket) WEB_SOCKET.get(session.getBasicRemote());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Writes zero bytes through the queue, which runs any write the queue lost; never throws. */
    static void run(TyrusWebSocket webSocket) {
        try {
            webSocket.sendRawFrame(NOTHING.duplicate());
        } catch (RuntimeException e) {
            // closed for good, or a fragmented message was cut off: nothing left to write
        }
    }
}
