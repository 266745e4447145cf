package dev.wsproxy.internal;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's live connections, whichever relay carries them, and the drain that ends them: 1001 to all,
 * a wait for their close handshakes up to a deadline, then a forced end. Thread-safe; the drain waits on
 * this object's monitor, which {@link #remove} notifies when the last connection is gone.
 */
public final class ActiveConnections {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveConnections.class);

    private final Set<ProxiedConnection> active = ConcurrentHashMap.newKeySet();

    public void add(ProxiedConnection connection) {
        active.add(connection);
    }

    /** @return whether the connection was still counted (so its slot must be released once) */
    public boolean remove(ProxiedConnection connection) {
        if (!active.remove(connection)) {
            return false;
        }
        if (active.isEmpty()) {
            synchronized (this) {
                notifyAll();
            }
        }
        return true;
    }

    public int size() {
        return active.size();
    }

    /** Shuts every connection down gracefully, waits up to {@code timeout}, then drops what is left. */
    public void drain(Duration timeout) {
        for (ProxiedConnection connection : List.copyOf(active)) {
            connection.shutdown();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!active.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (!active.isEmpty()) {
            LOG.warn("{} connection(s) did not finish their close handshake within {}; dropping them",
                    active.size(), Durations.format(timeout));
            for (ProxiedConnection connection : List.copyOf(active)) {
                connection.forceEnd();
            }
        }
    }
}
