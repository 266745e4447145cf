package dev.wsproxy.internal.tunnel;

import dev.wsproxy.internal.Durations;
import dev.wsproxy.internal.metrics.EndCause;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tunnel's keepalive and idle timeout: one periodic tick per open tunnel (a quarter of the shorter of the
 * ping interval and the idle timeout, at least 10 ms) on the proxy's timer thread. A tick closes an idle tunnel,
 * closes a peer that left a ping unanswered or did not read for an interval, and injects a ping toward a peer
 * nothing was sent to for most of an interval. Stateless: the state is the tunnel's; ticks run one at a time.
 */
final class TunnelKeepalive {

    private static final Logger LOG = LoggerFactory.getLogger(Tunnel.class);

    private TunnelKeepalive() {
    }

    static void arm(Tunnel t) {
        Duration ping = t.route().pingInterval();
        Duration idle = t.route().idleTimeout();
        Duration tick = null;
        if (!ping.isZero()) {
            tick = ping.dividedBy(4);
        }
        if (!idle.isZero()) {
            Duration idleTick = idle.dividedBy(4);
            tick = tick == null || idleTick.compareTo(tick) < 0 ? idleTick : tick;
        }
        if (tick == null) {
            return;
        }
        t.lastDataNanos = System.nanoTime();
        ScheduledFuture<?> f = t.timers.everyNonBlocking(tick.plusMillis(1).compareTo(Duration.ofMillis(10)) < 0
                ? Duration.ofMillis(10) : tick, () -> tick(t));
        synchronized (t.lock) {
            if (t.state() == Tunnel.State.OPEN) {
                t.timersArmed.add(f);
                return;
            }
        }
        f.cancel(false);
    }

    private static void tick(Tunnel t) {
        if (t.state() != Tunnel.State.OPEN) {
            return;
        }
        long now = System.nanoTime();
        Duration idle = t.route().idleTimeout();
        if (!idle.isZero() && now - t.lastDataNanos >= idle.toNanos()) {
            String reason = "no data for " + Durations.format(idle) + " (idle timeout)";
            LOG.info("[{}] {}", t.id(), reason);
            t.proxyClose(1001, reason, 1001, reason, false, false, null, EndCause.IDLE);
            return;
        }
        Duration ping = t.route().pingInterval();
        if (ping.isZero()) {
            return;
        }
        long interval = ping.toNanos();
        long slack = interval / 4;
        for (TunnelPeer peer : new TunnelPeer[] {t.client, t.upstream}) {
            Direction toPeer = t.toward(peer);
            Direction fromPeer = peer == t.client ? t.clientToUpstream : t.upstreamToClient;
            String every = Durations.format(ping);
            long sent = peer.pingSentNanos;
            if (peer.awaitingPong && fromPeer.lastReadNanos() - sent >= 0) {
                peer.awaitingPong = false; // anything read since the ping shows the peer is there
            }
            if (peer.awaitingPong && now - sent >= interval && !fromPeer.waitingForTarget()) {
                peerDead(t, peer, peer.name + " did not answer ping within " + every + " (after " + peer.pongs
                        + " successful ping/pongs)");
                return;
            }
            if (toPeer.blockedNanos(now) >= interval) {
                peerDead(t, peer, peer.name + " did not read for " + every + " (send blocked)");
                return;
            }
            if (toPeer.nanosSinceLastWrite(now) >= interval - slack && !peer.awaitingPong) {
                byte[] payload = ("wsproxy-" + Long.toHexString(now)).getBytes(StandardCharsets.US_ASCII);
                peer.pingSentNanos = now;
                peer.pingSent(payload);
                peer.awaitingPong = true;
                toPeer.inject(Frames.ping(payload, peer == t.upstream));
            }
        }
    }

    private static void peerDead(Tunnel t, TunnelPeer peer, String reason) {
        LOG.warn("[{}] {}; closing the connection", t.id(), reason);
        boolean isClient = peer == t.client;
        if (isClient) {
            t.proxyClose(1001, reason, 1001, reason, true, true, null, EndCause.PING_TIMEOUT);
        } else {
            t.proxyClose(1014, reason, 1001, reason, true, false, null, EndCause.PING_TIMEOUT);
        }
        synchronized (t.lock) {
            peer.broken = true;
        }
        t.closeEndpoint(peer, true);
    }
}
