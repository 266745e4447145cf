package dev.wsproxy.internal.metrics;

import dev.wsproxy.HandshakeRequest;
import dev.wsproxy.ProxyConnection;
import dev.wsproxy.ProxyListener;
import dev.wsproxy.internal.HeaderPolicy;
import dev.wsproxy.internal.HeaderTokens;
import java.net.URI;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's own listener: feeds the metrics and the access log from every handshake outcome and every
 * connection's open and terminal events, then passes the events on to the user's {@link ProxyListener}. The
 * relays report to it exactly as to a user's listener, so both relay modes feed the same metrics.
 *
 * <p>Threading: as {@link ProxyListener}; a failure in the metrics or the log is logged and does not reach the
 * user's listener or the relay.
 */
public final class ProxyObserver implements ProxyListener {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyObserver.class);

    private final ProxyListener user;
    private final MetricsRegistry metrics;
    private final AccessLog accessLog;

    /** @param metrics null when metrics are off */
    public ProxyObserver(ProxyListener user, MetricsRegistry metrics, AccessLog accessLog) {
        this.user = user;
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    /** Whether handshakes need to be observed at all. */
    public boolean active() {
        return metrics != null || accessLog.enabled();
    }

    /**
     * A handshake on a route ended; returns {@code result}.
     *
     * @param connection the upgraded connection, or null when refused
     * @param status 101, or the refusal's status
     * @param reason the refusal's full reason (for the log), or null
     * @param byUpstream whether the upstream caused the refusal
     */
    public <R> R handshake(R result, String id, String route, String target, HandshakeRequest request,
                           HeaderPolicy policy, long startNanos, ProxyConnection connection, int status, String reason,
                           boolean byUpstream) {
        try {
            String client = clientAddress(request, policy);
            // the upstream member's host:port as configured (a pool's chosen member once connected; for a
            // refusal the route's target, as no member served it)
            String upstream = upstreamOf(connection != null && connection.upstreamMember() != null
                    ? connection.upstreamMember() : target);
            if (connection != null) {
                ConnectionStats stats = ((ConnectionStats.Source) connection).stats();
                String mode = connection instanceof dev.wsproxy.internal.tunnel.Tunnel ? "tunnel" : "message";
                if (metrics != null) {
                    metrics.handshake(route, upstream, status, "upgraded", startNanos, stats, client, mode);
                } else {
                    stats.attach(null, client, mode, upstream);
                }
                return result;
            }
            if (metrics != null) {
                metrics.handshake(route, upstream, status, byUpstream ? "upstream" : "refused", startNanos, null,
                        client, null);
            }
            accessLog.refused(id, client, route, upstream, request.path(), status, reason);
        } catch (RuntimeException e) {
            LOG.warn("[{}] metrics failed", id, e);
        }
        return result;
    }

    private static String upstreamOf(String target) {
        // an expanded member is named "uri (address)": its meters are the name's (addresses come and go)
        int address = target.indexOf(" (");
        try {
            return MetricsRegistry.upstreamKey(URI.create(address < 0 ? target : target.substring(0, address)));
        } catch (IllegalArgumentException e) {
            return "unknown";
        }
    }

    /**
     * The client's address: the TCP peer, or when that is one of the route's trusted proxies, the nearest
     * untrusted address in its {@code X-Forwarded-For} chain.
     */
    static String clientAddress(HandshakeRequest request, HeaderPolicy policy) {
        String peer = request.remoteAddress();
        if (policy == null || !policy.isTrusted(peer)) {
            return peer;
        }
        List<String> chain = HeaderTokens.split(request.headers("X-Forwarded-For"));
        for (int i = chain.size() - 1; i >= 0; i--) {
            String hop = chain.get(i).trim();
            if (!hop.isEmpty() && (!policy.isTrusted(hop) || i == 0)) {
                return hop;
            }
        }
        return peer;
    }

    @Override
    public void onOpen(ProxyConnection connection) {
        if (metrics != null) {
            try {
                metrics.opened(connection);
            } catch (RuntimeException e) {
                LOG.warn("[{}] metrics failed", connection.id(), e);
            }
        } else {
            ((ConnectionStats.Source) connection).stats().opened(System.nanoTime());
        }
        user.onOpen(connection);
    }

    @Override
    public void onClosed(ProxyConnection connection, int code, String reason, boolean byClient) {
        ended(connection);
        user.onClosed(connection, code, reason, byClient);
    }

    @Override
    public void onFailed(ProxyConnection connection, int code, String reason, Throwable cause) {
        ended(connection);
        user.onFailed(connection, code, reason, cause);
    }

    @Override
    public void onRefused(HandshakeRequest request, int status, String reason) {
        user.onRefused(request, status, reason);
    }

    private void ended(ProxyConnection connection) {
        try {
            if (metrics != null) {
                metrics.ended(connection);
            }
            accessLog.connection(connection, ((ConnectionStats.Source) connection).stats());
        } catch (RuntimeException e) {
            LOG.warn("[{}] metrics failed", connection.id(), e);
        }
    }
}
