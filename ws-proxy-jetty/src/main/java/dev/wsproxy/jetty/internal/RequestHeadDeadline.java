package dev.wsproxy.jetty.internal;

import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deadline for the request head on Jetty's HTTP/1.1 connections, like nginx's {@code client_header_timeout}:
 * a client that has not sent its whole request line and headers within the deadline gets {@code 408} and the
 * connection is closed. Jetty's idle timeout restarts with every byte, so a client sending one byte a second
 * (slowloris) would otherwise hold a connection for as long as it likes.
 *
 * <p>Added as a bean to a connector, it watches every HTTP/1.1 connection that connector opens (also behind TLS):
 * the first request's head is timed from the moment the connection opened; a later request's head from the
 * first time a check sees it in progress (so at most the check interval more than the deadline). Between
 * requests and while a request is served the connection is not timed (the connector's idle timeout applies), and
 * once it is upgraded (WebSocket) the watch ends. HTTP/2 connections are not watched.
 *
 * <p>Thread-safe: checks run on the connector's scheduler; they read only Jetty's volatile parser state.
 */
public final class RequestHeadDeadline implements Connection.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(RequestHeadDeadline.class);

    private final long deadlineNanos;
    private final long checkNanos;
    private final Connector connector;

    private RequestHeadDeadline(Duration deadline, Connector connector) {
        this.deadlineNanos = deadline.toNanos();
        this.checkNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(50), deadlineNanos / 10);
        this.connector = connector;
    }

    /**
     * Watches the connections {@code connector} opens from now on; does nothing for a zero deadline or when one
     * is already installed.
     */
    public static void install(Connector connector, Duration deadline) {
        if (deadline.isZero() || connector.getEventListeners().stream().anyMatch(l -> l instanceof RequestHeadDeadline)) {
            return;
        }
        connector.addEventListener(new RequestHeadDeadline(deadline, connector));
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection) {
            // checked every checkNanos, not first at the deadline: a connection upgraded meanwhile (a tunnel)
            // is let go within one check instead of being kept for the whole deadline
            new Watch((HttpConnection) connection).schedule(Math.min(deadlineNanos, checkNanos));
        }
    }

    /** One connection's state between checks; only the scheduler touches it, one check at a time. */
    private final class Watch implements Runnable {
        /** Weak: once upgraded, the endpoint no longer holds the connection and nothing here keeps it. */
        private final WeakReference<HttpConnection> connection;
        private long requestsSeen;
        private long headSince = System.nanoTime();
        private boolean headInProgress = true;

        Watch(HttpConnection connection) {
            this.connection = new WeakReference<>(connection);
        }

        void schedule(long delayNanos) {
            Scheduler scheduler = connector.getScheduler();
            scheduler.schedule(this, Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
        }

        @Override
        public void run() {
            HttpConnection connection = this.connection.get();
            if (connection == null) {
                return; // upgraded and collected
            }
            EndPoint endPoint = connection.getEndPoint();
            if (!endPoint.isOpen() || endPoint.getConnection() != connection) {
                return; // closed, or upgraded to another protocol
            }
            long now = System.nanoTime();
            long requests = connection.getMessagesIn();
            boolean fresh = requests == 0;
            // a fresh connection's head started when it opened; later ones in any state before END but START
            boolean inHead = connection.getParser().inHeaderState() && (fresh || !connection.getParser().isStart());
            if (requests != requestsSeen) {
                requestsSeen = requests;
                headInProgress = false;
            }
            if (!inHead) {
                headInProgress = false;
                schedule(checkNanos);
                return;
            }
            if (!headInProgress) {
                headInProgress = true;
                headSince = now;
            }
            long left = headSince + deadlineNanos - now;
            if (left > 0) {
                schedule(Math.min(left, checkNanos));
                return;
            }
            timeOut(endPoint);
        }

        private void timeOut(EndPoint endPoint) {
            String body = "request head not received within " + TimeUnit.NANOSECONDS.toMillis(deadlineNanos)
                    + "ms (send the request line and headers at once)\n";
            String response = "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain;charset=utf-8\r\n"
                    + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body;
            LOG.info("[-] closed connection from {}: 408 request head not complete within {}ms",
                    endPoint.getRemoteSocketAddress(), TimeUnit.NANOSECONDS.toMillis(deadlineNanos));
            Callback close = Callback.from(endPoint::close, failure -> endPoint.close(failure));
            try {
                endPoint.write(close, ByteBuffer.wrap(response.getBytes(StandardCharsets.US_ASCII)));
            } catch (RuntimeException e) {
                endPoint.close(e);
            }
        }
    }
}
