package dev.wsproxy.internal.tunnel;

/**
 * What a {@link Direction} reports to its tunnel, and what the tunnel decides about control frames. Called from
 * the pump or from write callbacks, never under a lock; implemented by {@link Tunnel}.
 */
interface DirectionOwner {

    /** What the tunnel decides about a control frame read from the source. */
    enum Verdict { FORWARD, DROP }

    Verdict controlFrame(Direction from, int opcode, byte[] payload);

    /** A frame header broke the protocol or a limit; nothing of that frame was forwarded. */
    void violation(Direction from, int closeCode, String reason);

    /** The source ended: {@code failure} is null for end of stream. */
    void inputEnded(Direction from, Throwable failure);

    void writeFailed(Direction to, Throwable failure);

    /** A close frame (forwarded or the proxy's own) was completely written to the target. */
    void closeWritten(Direction to);

    /** Something escaped the pump (a bug): the connection ends with 1011. */
    void internalFailure(Direction where, Throwable failure);

    /**
     * Data frame headers were read (once per read, not per frame): counts and idle tracking. {@code
     * messages} is how many of the frames ended a message; the payload bytes may still be on their way. {@code
     * readNanos}: when the read happened ({@link System#nanoTime()}).
     */
    void dataFrames(Direction from, int frames, long payloadBytes, int messages, long largestEnded, long readNanos);
}
