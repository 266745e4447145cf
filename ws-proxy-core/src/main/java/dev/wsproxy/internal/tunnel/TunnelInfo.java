package dev.wsproxy.internal.tunnel;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.internal.ConnectionInfo;
import java.net.URI;

/**
 * The read-only view of a {@link Tunnel} that listeners get: {@link ConnectionInfo} and the tunnel's counters,
 * updated by each direction's pump (one writer per counter, once per read) and read without locks.
 */
abstract class TunnelInfo extends ConnectionInfo {

    private volatile long c2uMessages;
    private volatile long c2uBytes;
    private volatile long u2cMessages;
    private volatile long u2cBytes;

    TunnelInfo(String id, ProxyRoute route, String clientAddress, String path, URI upstreamUri) {
        super(id, route, clientAddress, path, upstreamUri);
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
}
