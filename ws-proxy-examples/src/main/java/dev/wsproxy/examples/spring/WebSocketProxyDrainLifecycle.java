package dev.wsproxy.examples.spring;

import dev.wsproxy.WebSocketProxy;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;

/**
 * Drains a {@link WebSocketProxy} when the Spring context stops, before Spring Boot shuts the web server
 * down: every relayed connection gets 1001 "proxy shutting down" (and up to the proxy's drain timeout to
 * finish its close handshake) while the connectors still carry the close frames. Without it the proxy bean
 * is closed only when beans are destroyed, after the server stopped, so clients lost their TCP connections
 * without a close frame while the upstreams got 1001.
 *
 * <p>Its phase is just above {@link WebServerGracefulShutdownLifecycle#SMART_LIFECYCLE_PHASE}: lifecycles
 * stop in descending phase order, so this runs before graceful shutdown and before the server stops, with
 * {@code server.shutdown=graceful} (Boot's default) and {@code immediate} alike. Starting does nothing: the
 * proxy is ready once built. Thread-safe; {@link #stop()} blocks for at most the drain timeout.
 */
public final class WebSocketProxyDrainLifecycle implements SmartLifecycle {

    private final WebSocketProxy proxy;
    private volatile boolean running;

    public WebSocketProxyDrainLifecycle(WebSocketProxy proxy) {
        this.proxy = proxy;
    }

    @Override
    public void start() {
        running = true;
    }

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
        return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 1;
    }
}
