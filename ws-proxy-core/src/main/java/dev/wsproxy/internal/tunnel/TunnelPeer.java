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
    /**
     * Payloads of the proxy's recent pings to this peer, oldest first: a pong may answer an older ping than
     * the last one (the peer was slow, or data cleared {@link #awaitingPong} and a new ping went out before the
     * pong arrived), and such a pong must not be forwarded either.
     */
    private final java.util.Deque<byte[]> pingsSent = new java.util.concurrent.ConcurrentLinkedDeque<>();
    volatile boolean awaitingPong;
    volatile long pingSentNanos;
    volatile int pongs;

    TunnelPeer(String name) {
        this.name = name;
    }

    /** How many unanswered ping payloads are remembered (RFC 6455 5.5.3 lets a peer answer only the latest). */
    private static final int MAX_PINGS_REMEMBERED = 8;

    void pingSent(byte[] payload) {
        pingsSent.addLast(payload);
        while (pingsSent.size() > MAX_PINGS_REMEMBERED) {
            pingsSent.pollFirst();
        }
    }

    /** Whether {@code payload} answers one of the proxy's pings (forgotten once answered). */
    boolean answersOurPing(byte[] payload) {
        for (java.util.Iterator<byte[]> it = pingsSent.iterator(); it.hasNext(); ) {
            if (java.util.Arrays.equals(it.next(), payload)) {
                it.remove();
                return true;
            }
        }
        return false;
    }
}
