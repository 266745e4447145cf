package dev.wsproxy.internal.tunnel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The selector threads of plain (non-TLS) tunnels: after the 101, both sockets of a tunnel are read and written
 * by one of these threads directly, as nginx's worker does, instead of through Jetty's per-read task
 * machinery. Interest in reading stays registered while a direction keeps reading, so a steady stream costs no
 * {@code epoll_ctl} per read; it is dropped only while a direction waits for its write (backpressure).
 *
 * <p>Thread-safe. The threads start with the first tunnel and stop in {@link #close()}; they are daemons.
 */
public final class NioLoops implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NioLoops.class);

    private final Loop[] loops;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean closed;

    /** @param threads how many selector threads tunnels are spread over (at least 1) */
    public NioLoops(int threads) {
        loops = new Loop[Math.max(1, threads)];
    }

    /** One loop for both sockets of a new tunnel, round robin; starts the threads on first use. */
    Loop next() {
        if (started.compareAndSet(false, true)) {
            synchronized (loops) {
                for (int i = 0; i < loops.length; i++) {
                    loops[i] = new Loop("ws-proxy-tunnel-" + i);
                }
            }
        }
        synchronized (loops) {
            if (closed) {
                return null;
            }
            return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
        }
    }

    @Override
    public void close() {
        synchronized (loops) {
            closed = true;
            for (Loop loop : loops) {
                if (loop != null) {
                    loop.stop();
                }
            }
        }
    }

    /** Something a selected key's attachment does when its channel is ready. */
    interface Ready {
        /** Runs on the loop thread with the key's ready operations. */
        void ready(int readyOps);
    }

    /** One selector thread. */
    static final class Loop implements Runnable {
        private final Selector selector;
        private final Thread thread;
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean wakeupPending = new AtomicBoolean();
        private volatile boolean running = true;

        Loop(String name) {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new UncheckedIOException("could not open a selector for tunnels", e);
            }
            thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }

        boolean inLoop() {
            return Thread.currentThread() == thread;
        }

        Selector selector() {
            return selector;
        }

        /** Runs {@code task} on this loop's thread, soon (never inline). */
        void execute(Runnable task) {
            tasks.add(task);
            if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
                selector.wakeup();
            }
        }

        void stop() {
            running = false;
            selector.wakeup();
        }

        private final java.util.function.Consumer<SelectionKey> dispatch = this::dispatch;

        private void dispatch(SelectionKey key) {
            int ops;
            try {
                ops = key.readyOps();
            } catch (CancelledKeyException e) {
                return;
            }
            try {
                ((Ready) key.attachment()).ready(ops);
            } catch (RuntimeException e) {
                LOG.error("tunnel selector callback failed on {}", thread.getName(), e);
            }
        }

        @Override
        public void run() {
            while (running) {
                try {
                    runTasks();
                    wakeupPending.set(false);
                    // the Consumer forms: no selected-key set to iterate and clear, no iterator per wake-up
                    if (tasks.isEmpty()) {
                        selector.select(dispatch);
                    } else {
                        selector.selectNow(dispatch);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.error("tunnel selector loop {} failed; it goes on", thread.getName(), e);
                }
            }
            try {
                runTasks();
                selector.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing tunnel selector {}", thread.getName(), e);
            }
        }

        private void runTasks() {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("tunnel selector task failed on {}", thread.getName(), e);
                }
            }
        }
    }
}
