package dev.wsproxy.internal;

import dev.wsproxy.ProxyConnection;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.internal.metrics.ConnectionStats;
import java.net.URI;
import java.time.Instant;

/**
 * What every relayed connection tells about itself, in either relay mode ({@link ProxyConnection}): its
 * identity, route, chosen member, subprotocol, open time and per-connection metrics. The message and byte
 * counters are the relay's own. Fields written by the handshake (member, subprotocol, open time) are volatile;
 * thread-safe to read.
 */
public abstract class ConnectionInfo implements ProxyConnection, ConnectionStats.Source {
    protected final String id;
    protected final ProxyRoute route;
    protected final String clientAddress;
    protected final String path;
    protected final ConnectionStats stats = new ConnectionStats();
    protected volatile String subprotocol;
    protected volatile Instant openedAt = Instant.now();
    /** Kept as text, parsed when asked for: a URI and its parsed parts would stay on the heap for the connection's life. */
    private volatile String upstreamUri;
    private volatile String upstreamMember;

    protected ConnectionInfo(String id, ProxyRoute route, String clientAddress, String path, URI upstreamUri) {
        this.id = id;
        this.route = route;
        this.clientAddress = clientAddress;
        this.path = path;
        this.upstreamUri = upstreamUri == null ? null : upstreamUri.toString();
    }

    /** The pool chose a member for this connection: the URI it connects to and the member's name. */
    public final void upstreamChosen(URI uri, String member) {
        this.upstreamUri = uri == null ? null : uri.toString();
        this.upstreamMember = member;
    }

    @Override
    public final String upstreamMember() {
        return upstreamMember != null ? upstreamMember : ProxyConnection.super.upstreamMember();
    }

    @Override
    public final ConnectionStats stats() {
        return stats;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final ProxyRoute route() {
        return route;
    }

    @Override
    public final String clientAddress() {
        return clientAddress;
    }

    @Override
    public final String path() {
        return path;
    }

    @Override
    public final URI upstream() {
        String uri = upstreamUri;
        return uri == null ? null : URI.create(uri);
    }

    @Override
    public final String subprotocol() {
        return subprotocol;
    }

    @Override
    public final Instant openedAt() {
        return openedAt;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + id + " " + path + " -> " + upstreamUri + "]";
    }
}
