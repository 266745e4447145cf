package dev.wsproxy;

import java.time.Duration;
import java.util.List;

/**
 * The live state of one route's upstream pool, and its runtime controls. Get it from
 * {@link WebSocketProxy#pool(String)} or {@link WebSocketProxy#upstreamPools()}; every route has one (a single
 * {@link ProxyRoute.Builder#upstream upstream} is a pool of one).
 *
 * <p>Thread-safe: reads are snapshots taken without stopping traffic; the controls take effect for the next
 * handshake.
 */
public interface UpstreamPool {

    /** The route this pool serves. */
    ProxyRoute route();

    /**
     * A snapshot of every member, in configuration order; an expanded upstream's members by address, then
     * addresses its name no longer resolves to that still serve connections ({@code DRAINING}).
     */
    List<UpstreamMember> members();

    /**
     * A snapshot of the member named {@code uri} (as in {@link UpstreamMember#uri()}).
     *
     * @throws IllegalArgumentException when no member has that name (the message lists them), or {@code uri} is
     *     an expanded upstream's (the message lists its address members)
     */
    UpstreamMember member(String uri);

    /**
     * For a consistent-hash pool, the member a handshake carrying {@code key} goes to now (the first member in
     * the key's order that can take a connection), e.g. to find which backend holds a user's session.
     *
     * @throws IllegalStateException when the pool does not balance by hash
     */
    String memberFor(String key);

    /**
     * Drains a member: it gets no new connections, and its open connections stay until they end (the
     * rolling-deploy step: drain, wait for {@link UpstreamMember#activeConnections()} to reach 0, restart).
     * The URI of an {@link Upstream#expandAddresses() expanded} upstream drains all its addresses, those that
     * appear later included; {@code uri (address)} drains one.
     */
    void drain(String uri);

    /**
     * Drains a member and, after {@code closeAfter}, closes its connections still open with 1001 to both
     * peers.
     */
    void drain(String uri, Duration closeAfter);

    /** Ends a drain: the member takes new connections again (an expanded upstream's URI: all its addresses). */
    void undrain(String uri);
}
