package dev.wsproxy;

/**
 * A snapshot of one pool member, from {@link UpstreamPool#members()}. Immutable.
 */
public interface UpstreamMember {

    /** What the pool does with a member now. */
    enum State {
        /** Takes new connections. */
        HEALTHY,
        /** Ejected by passive health (too many failures) until its ejection ends. */
        EJECTED,
        /** Marked down by the active health check until enough checks pass. */
        DOWN,
        /**
         * Drained at runtime, or an expanded address its name no longer resolves to: no new connections, open
         * ones kept.
         */
        DRAINING
    }

    /**
     * The member's name, its URI as configured; for a member {@link Upstream#expandAddresses() expanded} from a
     * host name, that URI and its address, e.g. {@code ws://chat:8080/ (10.0.0.7)}.
     */
    String uri();

    int weight();

    boolean isBackup();

    /** {@link State#DRAINING} over {@link State#DOWN} over {@link State#EJECTED} over {@link State#HEALTHY}. */
    State state();

    /** Connections open (or connecting) through this member. */
    int activeConnections();

    /** Failed connect attempts since the proxy started. */
    long failures();

    /** Successful upstream handshakes since the proxy started. */
    long successes();

    /** Times passive health ejected this member since the proxy started. */
    long ejections();
}
