package dev.wsproxy.internal.tunnel;

import dev.wsproxy.TunnelEndpoint;

/**
 * What a {@link Tunnel} knows of one peer: its endpoint, where its close handshake stands, whether it can
 * still be written to, and its keepalive state. Fields without {@code volatile} are guarded by the tunnel's
 * lock.
 */
final class TunnelPeer {
    final String name;
    TunnelEndpoint endpoint;
    boolean closeQueued;
    boolean closeWritten;
    boolean closeReceived;
    boolean inputEnded;
    boolean broken;
    boolean endpointClosed;
    volatile byte[] lastPing;
    volatile boolean awaitingPong;
    volatile long pingSentNanos;
    volatile int pongs;

    TunnelPeer(String name) {
        this.name = name;
    }
}
