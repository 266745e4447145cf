package dev.wsproxy.internal;

import jakarta.websocket.Endpoint;
import jakarta.websocket.Session;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Opens the proxy-to-upstream WebSocket sessions. The relay only needs a Jakarta {@link Session} whose
 * handlers are called one at a time and whose basic remote blocks until a part is written (that blocking is
 * the backpressure), so the client library is replaceable: {@link TyrusUpstreamClient} everywhere, and where
 * the proxy runs inside Jetty, Jetty's own client (see {@link UpstreamClients} for the choice).
 *
 * <p>Implementations are thread-safe; {@link #connect} blocks the caller for at most the deadline.
 */
public interface UpstreamClient extends AutoCloseable {

    /** A short name for logs and the selection property ({@code tyrus}, {@code jetty}). */
    String name();

    /**
     * Connects and completes the upstream handshake.
     *
     * @param target the upstream URI with the raw (still percent-encoded) path and query
     * @param headers headers to put on the upstream request; {@code Origin} absent means send none
     * @param subprotocols the client's offered subprotocols, in order
     * @param endpoint receives the upstream session's events
     * @param deadline how long to wait in all
     * @param maxFrameSize largest upstream frame accepted
     * @return the open session and the upstream's response headers
     * @throws UpstreamFailure with the status the client should get
     */
    Connected connect(String target, Map<String, String> headers, List<String> subprotocols, Endpoint endpoint,
                      Duration deadline, int maxFrameSize) throws UpstreamFailure;

    /** Releases the client's threads and connections. Open sessions must be closed first. */
    @Override
    void close();

    /** Creates clients; implementations outside the core are found with {@link java.util.ServiceLoader}. */
    interface Factory {
        /** The {@link UpstreamClient#name()} of the clients this creates. */
        String name();

        /**
         * @param handshakeTimeout the longest deadline of any route
         * @param maxFrameSize the largest frame any route accepts from an upstream
         */
        UpstreamClient create(Duration handshakeTimeout, int maxFrameSize);
    }

    /** An open upstream session and the headers of its 101 response (names case-insensitive). */
    final class Connected {
        public final Session session;
        public final Map<String, List<String>> responseHeaders;

        public Connected(Session session, Map<String, List<String>> responseHeaders) {
            this.session = session;
            this.responseHeaders = responseHeaders;
        }
    }
}
