package dev.wsproxy;

import java.net.URI;
import java.time.Instant;

/**
 * A read-only view of one relayed connection, handed to {@link ProxyListener}s: who connected, where it
 * goes, and how much flowed. Counters are updated by the relaying threads and read without locks, so a
 * reader sees a recent value, exact once the connection has ended.
 */
public interface ProxyConnection {

    /** The id used in this connection's log lines, e.g. {@code ws-1f}. */
    String id();

    /** The route that matched. */
    ProxyRoute route();

    /** The client's address as the container saw it (the TCP peer). */
    String clientAddress();

    /** The request path (inside the context) the client asked for. */
    String path();

    /** The upstream URI this connection was relayed to. */
    URI upstream();

    /**
     * The pool member that serves this connection: its {@link Upstream#uri()} as configured (for a route with
     * one {@code upstream(...)}, that URI); for a member {@link Upstream#expandAddresses() expanded} from a host
     * name, that URI and the address, e.g. {@code ws://chat:8080/ (10.0.0.7)}. Known once the upstream handshake succeeded; the default, for
     * implementations outside the proxy, is the scheme and authority of {@link #upstream()}.
     */
    default String upstreamMember() {
        URI upstream = upstream();
        return upstream == null ? null : upstream.getScheme() + "://" + upstream.getRawAuthority();
    }

    /** The subprotocol the upstream chose, or {@code null}. */
    String subprotocol();

    /** When the upstream handshake completed. */
    Instant openedAt();

    /** Whole messages relayed from the client to the upstream. */
    long clientToUpstreamMessages();

    /** Payload bytes relayed from the client to the upstream (text counted in UTF-8 bytes). */
    long clientToUpstreamBytes();

    /** Whole messages relayed from the upstream to the client. */
    long upstreamToClientMessages();

    /** Payload bytes relayed from the upstream to the client (text counted in UTF-8 bytes). */
    long upstreamToClientBytes();
}
