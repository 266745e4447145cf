package dev.wsproxy.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The timers of all relays of one proxy: one scheduler thread that only hands work over, and a pool
 * that runs it (pings and closes may block on a peer that stopped reading, so they must not run on the
 * scheduler). Owned and closed by the proxy. Thread-safe.
 */
public final class RelayTimers implements AutoCloseable {

    private final ScheduledThreadPoolExecutor scheduler;
    private final ThreadPoolExecutor workers;

    public RelayTimers() {
        AtomicInteger n = new AtomicInteger();
        scheduler = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "ws-proxy-timer"));
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 5, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> daemon(r, "ws-proxy-worker-" + n.incrementAndGet()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Runs {@code task} on a worker every {@code period}; cancel the returned future to stop. */
    public ScheduledFuture<?> every(Duration period, Runnable task) {
        long ms = Math.max(1, period.toMillis());
        return scheduler.scheduleWithFixedDelay(() -> submit(task), ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on a worker once after {@code delay}. */
    public ScheduledFuture<?> after(Duration delay, Runnable task) {
        return scheduler.schedule(() -> submit(task), Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** Like {@link #after} but returns false instead of throwing when the timers are shut down. */
    boolean tryAfter(Duration delay, Runnable task) {
        try {
            after(delay, task);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * Runs {@code task} every {@code period} on the scheduler thread itself: for tasks that never block (the
     * tunnel's keepalive and deadlines), which then cost no thread hand-off however many connections there are.
     * A task that throws is logged and keeps its schedule.
     */
    public ScheduledFuture<?> everyNonBlocking(Duration period, Runnable task) {
        long ms = Math.max(1, period.toMillis());
        return scheduler.scheduleWithFixedDelay(guarded(task), ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Runs a task that never blocks once after {@code delay}, on the scheduler thread. */
    public ScheduledFuture<?> afterNonBlocking(Duration delay, Runnable task) {
        return scheduler.schedule(guarded(task), Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                org.slf4j.LoggerFactory.getLogger(RelayTimers.class).warn("timer task failed", e);
            }
        };
    }

    /** Runs {@code task} on a worker now. */
    public void submit(Runnable task) {
        try {
            workers.execute(task);
        } catch (RuntimeException rejected) {
            // shut down: the proxy is closing and forces every relay to end itself
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
