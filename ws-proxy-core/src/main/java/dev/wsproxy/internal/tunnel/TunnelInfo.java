package dev.wsproxy.internal.tunnel;

import dev.wsproxy.ProxyConnection;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.internal.metrics.ConnectionStats;
import java.net.URI;
import java.time.Instant;

/**
 * The read-only view of a {@link Tunnel} that listeners get: who connected, where to, what was negotiated,
 * and the counters, updated by each direction's pump (one writer per counter) and read without locks.
 */
abstract class TunnelInfo implements ProxyConnection, ConnectionStats.Source {

    private final String id;
    private final ProxyRoute route;
    private final String clientAddress;
    private final String path;
    private volatile URI upstreamUri;
    private volatile String upstreamMember;
    volatile String subprotocol;
    volatile Instant openedAt = Instant.now();
    private volatile long c2uMessages;
    private volatile long c2uBytes;
    private volatile long u2cMessages;
    private volatile long u2cBytes;
    private final ConnectionStats stats = new ConnectionStats();

    TunnelInfo(String id, ProxyRoute route, String clientAddress, String path, URI upstreamUri) {
        this.id = id;
        this.route = route;
        this.clientAddress = clientAddress;
        this.path = path;
        this.upstreamUri = upstreamUri;
    }

    /** The pool chose a member for this connection: the URI it connected to and the member's name. */
    public final void upstreamChosen(URI uri, String member) {
        this.upstreamUri = uri;
        this.upstreamMember = member;
    }

    @Override
    public String upstreamMember() {
        return upstreamMember != null ? upstreamMember : ProxyConnection.super.upstreamMember();
    }

    /**
     * Counts data frames' payload bytes, the messages they ended and the largest of those (tunnel mode reports
     * once per read).
     */
    final void count(boolean fromClient, int frames, long payloadBytes, int messages, long largestEnded) {
        stats.frames(fromClient, frames, largestEnded);
        if (fromClient) {
            c2uBytes += payloadBytes;
            c2uMessages += messages;
        } else {
            u2cBytes += payloadBytes;
            u2cMessages += messages;
        }
    }

    @Override
    public final ConnectionStats stats() {
        return stats;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public ProxyRoute route() {
        return route;
    }

    @Override
    public String clientAddress() {
        return clientAddress;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public URI upstream() {
        return upstreamUri;
    }

    @Override
    public String subprotocol() {
        return subprotocol;
    }

    @Override
    public Instant openedAt() {
        return openedAt;
    }

    @Override
    public long clientToUpstreamMessages() {
        return c2uMessages;
    }

    @Override
    public long clientToUpstreamBytes() {
        return c2uBytes;
    }

    @Override
    public long upstreamToClientMessages() {
        return u2cMessages;
    }

    @Override
    public long upstreamToClientBytes() {
        return u2cBytes;
    }

    @Override
    public String toString() {
        return "Tunnel[" + id + " " + path + " -> " + upstreamUri + "]";
    }
}
