package dev.wsproxy.internal;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * The one classifier of upstream handshake failures, shared by the tunnel's connector and both message-mode
 * clients: an HTTP status the upstream answered becomes the client's status (its 4xx, else 502), and a
 * transport failure is recognised by exception type along the cause chain (never by message text): unknown
 * host, refused or unroutable, TLS, timeout (504). Each client first turns its own exception types into a
 * status; what is left comes here. Stateless.
 */
public final class UpstreamFailures {

    private UpstreamFailures() {
    }

    /** The upstream answered {@code status} instead of 101. */
    public static UpstreamFailure answered(String origin, int status, Throwable cause) {
        int toClient = status >= 400 && status < 500 ? status : 502;
        String hint = status == 404 ? " (check the path in the route's upstream)"
                : status == 401 || status == 403 ? " (the upstream refused it: check the credentials, cookies or"
                    + " Origin it expects)"
                : toClient == 502 ? " instead of 101 (see the upstream's log)" : " (passed on as is)";
        return new UpstreamFailure(toClient, "upstream " + origin + " answered the WebSocket handshake with HTTP "
                + status + hint, cause);
    }

    /**
     * A failure without an HTTP status, by the types in its cause chain.
     *
     * @param deadline the route's connect timeout, for the 504 reason
     */
    public static UpstreamFailure classify(String origin, Throwable failure, Duration deadline) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UpstreamFailure) {
                return (UpstreamFailure) t;
            }
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return new UpstreamFailure(502, "upstream host of " + origin + " could not be resolved", failure);
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return new UpstreamFailure(502, "upstream " + origin + " refused the connection"
                        + " (is the backend running?)", failure);
            }
            if (t instanceof SSLException) {
                return new UpstreamFailure(502, "TLS handshake with upstream " + origin + " failed: "
                        + t.getMessage(), failure);
            }
            if (t instanceof TimeoutException || t instanceof SocketTimeoutException) {
                return new UpstreamFailure(504, "upstream " + origin + " did not complete the WebSocket handshake"
                        + " within " + Durations.format(deadline), failure);
            }
        }
        return new UpstreamFailure(502, "could not connect to upstream " + origin + ": "
                + CloseMapping.describe(failure), failure);
    }
}
