package dev.wsproxy.internal;

/**
 * Why the upstream handshake failed, with the HTTP status the client gets for it: 502 (refused,
 * unreachable, invalid answer), 504 (no answer within the deadline) or the upstream's own 4xx.
 */
public final class UpstreamFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;

    public UpstreamFailure(int status, String reason, Throwable cause) {
        super(reason, cause, false, false);
        this.status = status;
    }

    /** The HTTP status to answer the client with. */
    public int status() {
        return status;
    }
}
