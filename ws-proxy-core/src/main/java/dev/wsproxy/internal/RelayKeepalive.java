package dev.wsproxy.internal;

import dev.wsproxy.ProxyRoute;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

/**
 * The keepalive pings and the idle timeout of one relay.
 *
 * <p>Each peer is pinged once nothing was sent to it for a whole ping interval (data, or the previous ping),
 * so a hop never goes a whole interval without a frame from the proxy: with the default 20 s that keeps
 * hops alive through intermediaries that drop connections idle for 30 s or more. A peer is dead when a ping
 * has been outstanding a whole interval with nothing at all heard from it since (pong, data, a completed
 * send), or when a send to it has been blocked a whole interval. One timer per relay, re-armed for the
 * earliest moment something is due, so an idle connection costs one timer event per interval.
 *
 * <p>Threading: ticks run on {@link RelayTimers} workers, one at a time (each tick arms the next one);
 * {@link #start()} and {@link #stop()} may be called from any thread.
 */
final class RelayKeepalive {

    /** What a tick found; implemented by the relay. */
    interface Verdicts {
        /** Whether the relay is still open (ticks stop otherwise). */
        boolean open();

        void peerDead(Peer peer, String reason);

        void peerFailed(Peer peer, Throwable cause);

        void idle(String reason);
    }

    /** How soon to retry a ping that could not be sent because a send was in progress. */
    private static final long BUSY_RETRY_NANOS = Duration.ofSeconds(1).toNanos();

    private final ProxyRoute route;
    private final RelayTimers timers;
    private final Peer client;
    private final Peer upstream;
    private final Verdicts verdicts;

    private volatile boolean stopped;
    private volatile long lastDataNanos = System.nanoTime();
    private volatile ScheduledFuture<?> pingTimer;
    private volatile ScheduledFuture<?> idleTimer;

    RelayKeepalive(ProxyRoute route, RelayTimers timers, Peer client, Peer upstream, Verdicts verdicts) {
        this.route = route;
        this.timers = timers;
        this.client = client;
        this.upstream = upstream;
        this.verdicts = verdicts;
    }

    /** Data moved (either way): the idle timeout counts from here. */
    void dataMoved(long nowNanos) {
        lastDataNanos = nowNanos;
    }

    void start() {
        Duration ping = route.pingInterval();
        if (!ping.isZero()) {
            pingTimer = timers.after(ping, this::pingTick);
        }
        Duration idle = route.idleTimeout();
        if (!idle.isZero()) {
            lastDataNanos = System.nanoTime();
            idleTimer = timers.every(idle.dividedBy(4).plusMillis(1), this::idleTick);
        }
    }

    void stop() {
        stopped = true;
        for (ScheduledFuture<?> timer : new ScheduledFuture<?>[] {pingTimer, idleTimer}) {
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }

    private void pingTick() {
        if (stopped || !verdicts.open()) {
            return;
        }
        long now = System.nanoTime();
        long interval = route.pingInterval().toNanos();
        String intervalText = Durations.format(route.pingInterval());
        long nextIn = interval;
        for (Peer peer : new Peer[] {client, upstream}) {
            if (peer.silentSincePing(now, interval)) {
                verdicts.peerDead(peer, peer.name + " did not answer ping within " + intervalText + " (after "
                        + peer.pongsReceived() + " successful ping/pongs)");
                return;
            }
            if (peer.blockedNanos(now) >= interval) {
                verdicts.peerDead(peer, peer.name + " did not read for " + intervalText + " (send blocked)");
                return;
            }
            long quietFor = now - peer.lastSentNanos();
            if (quietFor >= interval) {
                try {
                    if (!peer.tryPing(now)) {
                        nextIn = Math.min(nextIn, BUSY_RETRY_NANOS);
                    }
                } catch (IOException | RuntimeException e) {
                    verdicts.peerFailed(peer, e);
                    return;
                }
            } else {
                nextIn = Math.min(nextIn, interval - quietFor);
            }
            long pingSince = peer.pingOutstandingSince();
            if (peer.silentSincePing(now, 0) && pingSince + interval - now > 0) {
                nextIn = Math.min(nextIn, pingSince + interval - now);
            }
        }
        if (!stopped) {
            pingTimer = timers.after(Duration.ofNanos(Math.max(nextIn, 1_000_000)), this::pingTick);
            if (stopped) {
                pingTimer.cancel(false);
            }
        }
    }

    private void idleTick() {
        if (stopped || !verdicts.open()) {
            return;
        }
        Duration idle = route.idleTimeout();
        if (System.nanoTime() - lastDataNanos >= idle.toNanos()) {
            verdicts.idle("no data for " + Durations.format(idle) + " (idle timeout)");
        }
    }
}
