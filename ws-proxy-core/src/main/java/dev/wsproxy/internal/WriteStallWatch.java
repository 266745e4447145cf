package dev.wsproxy.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Un-sticks writes that Tyrus 2.2's JDK client transport lost.
 *
 * <p>Its write queue ({@code TaskQueueFilter}) runs one write at a time guarded by a flag: a writer offers
 * its task and runs the queue only if it can set the flag; the thread that completes a write polls the next
 * task and, finding none, clears the flag. A writer that offers between that empty poll and the clearing of
 * the flag sees the flag still set and leaves; the completing thread then clears it, and the offered task
 * sits in the queue until some later write runs the queue. A blocking send waits for that task forever (the
 * relay thread parks in {@code Peer.sendBinary}); only the next keepalive ping, up to a whole ping interval
 * later, ran the queue again. That was the 30 s stall of the 1 MiB contract test.
 *
 * <p>Armed while a send to the peer is in progress: when a look finds the peer busy and no send completed
 * since the previous look, it writes an unsolicited pong ({@link Peer#kick()}), which runs the queue and so
 * the lost task. Looks back off from {@link #FIRST_LOOK} to {@link #MAX_LOOK} while nothing moves (a peer
 * that stopped reading is the keepalive's business, and a pong per look costs it 6 bytes); idle peers cost
 * nothing. A close frame needs no watch: Tyrus closes the transport right after queueing it, and that close
 * is itself a queued task whose offer runs the queue. Threading: {@link #sendStarted()} from the sending
 * thread; looks run one at a time on {@link RelayTimers} workers ({@link #armed} hands over between them).
 */
final class WriteStallWatch {

    private static final Logger LOG = LoggerFactory.getLogger(WriteStallWatch.class);

    static final Duration FIRST_LOOK = Duration.ofMillis(250);
    static final Duration MAX_LOOK = Duration.ofSeconds(4);

    private final Peer peer;
    private final RelayTimers timers;
    private final AtomicBoolean armed = new AtomicBoolean();
    /** Touched only by whoever holds {@link #armed}. */
    private long seenCompleted;
    private Duration nextLook = FIRST_LOOK;

    WriteStallWatch(Peer peer, RelayTimers timers) {
        this.peer = peer;
        this.timers = timers;
    }

    /** A send to the peer starts: look at it soon unless a look is already due. */
    void sendStarted() {
        if (armed.compareAndSet(false, true)) {
            seenCompleted = peer.completedSends();
            nextLook = FIRST_LOOK;
            if (!timers.tryAfter(FIRST_LOOK, this::look)) {
                armed.set(false);
            }
        }
    }

    private void look() {
        if (!peer.busy()) {
            armed.set(false);
            // a send may have started between the check and the reset, and found the watch still armed
            if (peer.busy() && armed.compareAndSet(false, true)) {
                seenCompleted = peer.completedSends();
                timers.tryAfter(FIRST_LOOK, this::look);
            }
            return;
        }
        long completed = peer.completedSends();
        Duration delay;
        if (completed != seenCompleted) {
            seenCompleted = completed;
            nextLook = FIRST_LOOK;
            delay = FIRST_LOOK;
        } else {
            try {
                LOG.debug("no send to the {} completed within {}; running its write queue", peer.name,
                        Durations.format(nextLook));
                peer.kick();
            } catch (java.io.IOException | RuntimeException e) {
                armed.set(false);
                return;
            }
            delay = nextLook;
            nextLook = nextLook.multipliedBy(2).compareTo(MAX_LOOK) > 0 ? MAX_LOOK : nextLook.multipliedBy(2);
        }
        timers.tryAfter(delay, this::look);
    }
}
