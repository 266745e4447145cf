package dev.wsproxy.servlet.internal;

import dev.wsproxy.HandshakeResult;

/**
 * Where the two halves of a client's hand-over to its tunnel meet: the filter's {@link #attach} (the handshake
 * result, right after {@code request.upgrade}) and the container's {@code init} of the upgrade handler, which
 * may come first or second and on another thread. Whichever comes second starts the hand-over, exactly once;
 * the result is not kept after that (it holds the handshake's headers).
 *
 * <p>Threading: {@link #attach} and {@link #initialised()} may run on different threads; the monitor of this
 * object guards the meeting (subclasses guard their own state with the same monitor) and is not held while
 * {@link #start} runs.
 */
abstract class ClientHandoff {

    private HandshakeResult result;
    private boolean initialised;
    /** The client's address, for logs and the tunnel's listener; set by {@link #attach}. */
    volatile String remote = "client";

    /** Called by the filter right after {@code request.upgrade}; the container calls {@code init} before or after. */
    public final void attach(HandshakeResult result, String remoteAddress) {
        boolean start;
        synchronized (this) {
            this.result = result;
            this.remote = remoteAddress;
            start = initialised;
        }
        if (start) {
            start(takeResult());
        }
    }

    /** The subclass's {@code init} calls this once it has recorded what the container gave it. */
    final void initialised() {
        boolean start;
        synchronized (this) {
            initialised = true;
            start = result != null;
        }
        if (start) {
            start(takeResult());
        }
    }

    private synchronized HandshakeResult takeResult() {
        HandshakeResult r = result;
        result = null;
        return r;
    }

    /** Both halves are in: hands the connection to the tunnel ({@code result.clientUpgraded}) or fails it. */
    abstract void start(HandshakeResult result);
}
