package dev.wsproxy.spring;

import dev.wsproxy.WebSocketProxy;
import java.util.Objects;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;

/**
 * Drains the proxy when the application context stops: new handshakes get 503, every relayed connection
 * gets 1001 "proxy shutting down" and up to the drain timeout to close. It runs in {@link #PHASE}, which
 * Spring stops <em>before</em> the web server's graceful shutdown ({@code server.shutdown=graceful}) and the
 * web server itself, so clients see a clean 1001 rather than a dropped socket. The proxy's threads are released
 * afterwards by its {@code close()} destroy method.
 *
 * <p>Thread-safe: Spring calls {@link #start()} and {@link #stop()} from one thread; {@link #isRunning()} may be
 * read from any.
 */
public class WebSocketProxyLifecycle implements SmartLifecycle {

    /** Above the web server's graceful-shutdown phase, so this stops first. */
    public static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 512;

    private final WebSocketProxy proxy;
    private volatile boolean running;

    public WebSocketProxyLifecycle(WebSocketProxy proxy) {
        this.proxy = Objects.requireNonNull(proxy, "proxy");
    }

    @Override
    public void start() {
        running = true;
    }

    /** Blocks for at most the proxy's drain timeout. */
    @Override
    public void stop() {
        try {
            proxy.drain();
        } finally {
            running = false;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
