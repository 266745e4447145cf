package dev.wsproxy.internal.metrics;

/**
 * The per-connection facts that {@link dev.wsproxy.ProxyConnection} does not carry: frames and the largest
 * message each way, the close exchanged with each side, why the connection ended, and the metrics group it
 * belongs to. One per relayed connection, created with it.
 *
 * <p>Threading: the frame counters have one writer each (the thread relaying that direction) and are plain
 * fields, so counting costs a few additions on the relay's hot path; readers (metrics, the access log) see a
 * recent value, exact once the connection has ended. Close facts are set once under this object's monitor;
 * the rest is volatile.
 */
public final class ConnectionStats {

    private long c2uFrames;
    private long u2cFrames;
    private long c2uMessageSoFar;
    private long u2cMessageSoFar;
    private volatile long c2uLargest;
    private volatile long u2cLargest;

    private int clientCode;
    private String clientReason;
    private int upstreamCode;
    private String upstreamReason;
    private volatile EndCause endCause;

    private volatile MeterGroup group;
    private volatile String clientAddress;
    private volatile String mode;
    private volatile String upstream;
    private volatile long openNanos;

    /** Counts a data frame (message mode: a message part) and tracks the message it belongs to. */
    public void frame(boolean fromClient, long payloadLength, boolean endsMessage) {
        if (fromClient) {
            c2uFrames++;
            long size = c2uMessageSoFar + payloadLength;
            if (endsMessage) {
                c2uMessageSoFar = 0;
                if (size > c2uLargest) {
                    c2uLargest = size;
                }
            } else {
                c2uMessageSoFar = size;
            }
        } else {
            u2cFrames++;
            long size = u2cMessageSoFar + payloadLength;
            if (endsMessage) {
                u2cMessageSoFar = 0;
                if (size > u2cLargest) {
                    u2cLargest = size;
                }
            } else {
                u2cMessageSoFar = size;
            }
        }
    }

    /** Tunnel mode, once per read: {@code frames} data frames, the largest whole message they ended (or 0). */
    public void frames(boolean fromClient, int frames, long largestEnded) {
        if (fromClient) {
            c2uFrames += frames;
            if (largestEnded > c2uLargest) {
                c2uLargest = largestEnded;
            }
        } else {
            u2cFrames += frames;
            if (largestEnded > u2cLargest) {
                u2cLargest = largestEnded;
            }
        }
    }

    public long frames(boolean fromClient) {
        return fromClient ? c2uFrames : u2cFrames;
    }

    /** The largest whole message relayed that way, in payload bytes. */
    public long largestMessage(boolean fromClient) {
        return fromClient ? c2uLargest : u2cLargest;
    }

    /**
     * A close frame went to or came from a side (the first one counts): the code and reason of that side's close
     * handshake, whoever started it.
     */
    public synchronized void close(boolean clientSide, int code, String reason) {
        if (clientSide && clientCode == 0) {
            clientCode = code;
            clientReason = reason;
        } else if (!clientSide && upstreamCode == 0) {
            upstreamCode = code;
            upstreamReason = reason;
        }
    }

    /** The proxy sent the same close to the sides named (unless they already had one). */
    public void closeSent(boolean toClient, boolean toUpstream, int code, String reason) {
        if (toClient) {
            close(true, code, reason);
        }
        if (toUpstream) {
            close(false, code, reason);
        }
    }

    /** The close code exchanged with that side; 1006 when none was (the connection was lost). */
    public synchronized int closeCode(boolean clientSide) {
        int code = clientSide ? clientCode : upstreamCode;
        return code == 0 ? 1006 : code;
    }

    /** Its reason, {@code ""} when none. */
    public synchronized String closeReason(boolean clientSide) {
        String reason = clientSide ? clientReason : upstreamReason;
        return reason == null ? "" : reason;
    }

    /** Set with the relay's ending, under its lock, so it agrees with the code listeners are told. */
    public void endCause(EndCause cause) {
        if (endCause == null) {
            endCause = cause;
        }
    }

    /** Why the connection ended, or {@code null} while it is open. */
    public EndCause endCause() {
        return endCause;
    }

    /** A pong answered the proxy's ping to that side after {@code rttNanos}; ignored when negative. */
    public void pingRtt(boolean clientSide, long rttNanos) {
        MeterGroup g = group;
        if (g != null && rttNanos >= 0) {
            (clientSide ? g.clientPingRtt : g.upstreamPingRtt).record(rttNanos);
        }
    }

    /** Called once the handshake succeeded, before the connection opens. */
    void attach(MeterGroup group, String clientAddress, String mode, String upstream) {
        this.group = group;
        this.upstream = upstream;
        this.clientAddress = clientAddress;
        this.mode = mode;
    }

    MeterGroup group() {
        return group;
    }

    void opened(long nanos) {
        openNanos = nanos;
    }

    long openNanos() {
        return openNanos;
    }

    /** The client's address, from trusted proxies' {@code X-Forwarded-For} when the peer is one; else null. */
    String clientAddress() {
        return clientAddress;
    }

    /** The upstream member's metrics name ({@link MetricsRegistry#upstreamKey}), or null before the handshake. */
    String upstream() {
        return upstream;
    }

    /** {@code tunnel} or {@code message}. */
    String mode() {
        return mode;
    }

    /** The per-connection facts of a relay; implemented by both relays. */
    public interface Source {
        ConnectionStats stats();
    }
}
