package dev.wsproxy.internal;

import dev.wsproxy.ProxyConnection;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.internal.metrics.ConnectionStats;
import java.net.URI;
import java.time.Instant;

/**
 * What a message-mode {@link Relay} tells about itself ({@link ProxyConnection}): its identity, route, member,
 * subprotocol and counters. Fields written by the relay's handshake (member, subprotocol, open time) are
 * volatile; the counters are its peers'. Thread-safe to read.
 */
abstract class RelayInfo implements ProxyConnection {
    final String id;
    final ProxyRoute route;
    final String clientAddress;
    final String path;
    volatile URI upstreamUri;
    volatile String upstreamMember;
    final ConnectionStats stats = new ConnectionStats();
    volatile String subprotocol;
    volatile Instant openedAt = Instant.now();

    RelayInfo(String id, ProxyRoute route, String clientAddress, String path, URI upstreamUri) {
        this.id = id;
        this.route = route;
        this.clientAddress = clientAddress;
        this.path = path;
        this.upstreamUri = upstreamUri;
    }

    /** The client's peer: what was sent to the client. */
    abstract Peer clientPeer();

    /** The upstream's peer: what was sent to the upstream. */
    abstract Peer upstreamPeer();

    /** Per-connection metrics (the relay's {@code ConnectionStats.Source}). */
    public ConnectionStats stats() {
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
    public String upstreamMember() {
        return upstreamMember != null ? upstreamMember : dev.wsproxy.ProxyConnection.super.upstreamMember();
    }

    /** The pool chose a member for this connection: the URI it connects to and the member's name. */
    public void upstreamChosen(URI uri, String member) {
        this.upstreamUri = uri;
        this.upstreamMember = member;
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
        return upstreamPeer().messagesSent;
    }

    @Override
    public long clientToUpstreamBytes() {
        return upstreamPeer().bytesSent;
    }

    @Override
    public long upstreamToClientMessages() {
        return clientPeer().messagesSent;
    }

    @Override
    public long upstreamToClientBytes() {
        return clientPeer().bytesSent;
    }

    @Override
    public String toString() {
        return "Relay[" + id + " " + path + " -> " + upstreamUri + "]";
    }
}
