package dev.wsproxy.jetty.internal;

import dev.wsproxy.internal.Durations;
import dev.wsproxy.internal.MaskKeys;
import dev.wsproxy.internal.UpstreamClient;
import dev.wsproxy.internal.UpstreamFailure;
import dev.wsproxy.internal.UpstreamFailures;
import dev.wsproxy.internal.UpstreamRequestConfigurator;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.Endpoint;
import jakarta.websocket.Session;
import java.lang.reflect.Field;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.ee10.websocket.jakarta.client.JakartaWebSocketClientContainer;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketSession;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.WebSocketConnection;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;
import org.eclipse.jetty.websocket.core.exception.UpgradeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link UpstreamClient} on Jetty 12's own Jakarta WebSocket client: its reads run on a Jetty thread
 * pool and a blocking send completes on the calling thread when the socket takes the bytes, so a relayed
 * part costs no thread hand-off (Tyrus's JDK transport completes every write on another thread).
 *
 * <p>Thread-safe. Settings mirror the server side: no idle timeout (the relay's keepalive decides), 64 KiB
 * network reads, frames up to the routes' largest max frame.
 */
public final class JettyUpstreamClient implements UpstreamClient {

    public static final String NAME = "jetty";

    private static final Logger LOG = LoggerFactory.getLogger(JettyUpstreamClient.class);

    private final HttpClient http;
    private final WebSocketCoreClient coreClient;
    private final JakartaWebSocketClientContainer container;
    private final ThreadPoolExecutor connectors;

    public JettyUpstreamClient(Duration handshakeTimeout, int maxFrameSize) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("ws-proxy-upstream");
        threads.setDaemon(true);
        http = new HttpClient();
        http.setExecutor(threads);
        http.setConnectTimeout(Math.max(1, handshakeTimeout.toMillis()));
        http.setMaxConnectionsPerDestination(Integer.MAX_VALUE / 2);
        http.setMaxRequestsQueuedPerDestination(Integer.MAX_VALUE / 2);
        http.setFollowRedirects(false);
        // HttpClient keeps the Set-Cookies it sees and sends them on later requests: one client's cookies would
        // reach the upstream on another client's connection. The proxy forwards each client's own Cookie only.
        http.setHttpCookieStore(new HttpCookieStore.Empty());
        // The container creates its core client lazily on the first connect, unsynchronised, so concurrent first
        // handshakes can find it unstarted; hand it one that is already started instead.
        WebSocketComponents components = new WebSocketComponents();
        coreClient = new WebSocketCoreClient(http, components);
        container = new JakartaWebSocketClientContainer(components, c -> coreClient) {
            {
                // the container's own defaults are for subclasses to set: 64 KiB reads, the routes' frame limit
                defaultCustomizer.setInputBufferSize(64 * 1024);
                defaultCustomizer.setMaxFrameSize(maxFrameSize);
            }
        };
        container.setDefaultMaxSessionIdleTimeout(0);
        container.setDefaultMaxBinaryMessageBufferSize(maxFrameSize);
        container.setDefaultMaxTextMessageBufferSize(maxFrameSize);
        try {
            http.start();
            components.start();
            coreClient.start();
            container.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start Jetty's WebSocket client", e);
        }
        AtomicInteger threadNumber = new AtomicInteger();
        connectors = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 5, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "ws-proxy-connect-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Connected connect(String target, Map<String, String> headers, List<String> subprotocols, Endpoint endpoint,
                             Duration deadline, int maxFrameSize) throws UpstreamFailure {
        UpstreamRequestConfigurator capture = new UpstreamRequestConfigurator(headers);
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                .preferredSubprotocols(subprotocols)
                .configurator(capture)
                .build();
        URI uri = URI.create(target);
        OpenSignal opened = new OpenSignal(endpoint);
        Future<Session> attempt;
        try {
            attempt = connectors.submit(() -> container.connectToServer(opened, config, uri));
        } catch (RuntimeException e) {
            throw new UpstreamFailure(502, "upstream connector is shut down", e);
        }
        // Jetty may deliver the upstream's first message on the thread that would complete connectToServer,
        // before completing it; the relay's handler waits there for the client's upgrade, which waits for us.
        // So the session counts as connected as soon as it is open, whichever of the two signals comes first.
        attempt = CompletableFuture.anyOf(opened.session, toCompletable(attempt)).thenApply(Session.class::cast);
        try {
            Session session = attempt.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            UpstreamRequestConfigurator.failOnUnsolicitedExtensions(target, session, capture.responseHeaders());
            return new Connected(session, capture.responseHeaders());
        } catch (TimeoutException e) {
            attempt.cancel(true);
            throw new UpstreamFailure(504, "upstream " + UpstreamRequestConfigurator.origin(target)
                    + " did not complete the WebSocket"
                    + " handshake within " + Durations.format(deadline), e);
        } catch (InterruptedException e) {
            attempt.cancel(true);
            Thread.currentThread().interrupt();
            throw new UpstreamFailure(502, "interrupted while connecting to upstream", e);
        } catch (ExecutionException e) {
            throw classify(target, e.getCause(), capture.responseHeaders());
        }
    }

    /** Same statuses and wording as {@code TyrusUpstreamClient.classify}, from Jetty's exceptions. */
    static UpstreamFailure classify(String target, Throwable error, Map<String, List<String>> responseHeaders) {
        String upstream = UpstreamRequestConfigurator.origin(target);
        for (Throwable t = error; t != null; t = t.getCause()) {
            // Jetty's parser turns a non-HTTP answer into a synthetic "400: No Status" (no status line was read);
            // its exception has no type or field for that, so this is the one place the text is read.
            if (t.getMessage() != null && t.getMessage().contains("400: No Status")) {
                return new UpstreamFailure(502, "upstream " + upstream + " did not answer the WebSocket handshake"
                        + " with a valid HTTP response (is that port a WebSocket server?)", error);
            }
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof UpgradeException && ((UpgradeException) t).getResponseStatusCode() == 101) {
                List<String> chosen = responseHeaders.getOrDefault("Sec-WebSocket-Protocol", List.of());
                String detail = chosen.isEmpty() ? String.valueOf(t.getMessage())
                        : "it chose subprotocol '" + String.join(", ", chosen) + "' which the client did not offer";
                return new UpstreamFailure(502, "upstream " + upstream + " sent an invalid WebSocket handshake"
                        + " response: " + detail, error);
            }
            if (t instanceof UpgradeException && ((UpgradeException) t).getResponseStatusCode() > 0) {
                return UpstreamFailures.answered(upstream, ((UpgradeException) t).getResponseStatusCode(), error);
            }
        }
        return UpstreamFailures.classify(upstream, error, Duration.ZERO);
    }



    @Override
    public void close() {
        connectors.shutdownNow();
        try {
            container.stop();
            coreClient.stop();
            http.stop();
        } catch (Exception e) {
            // stopping: nothing to do about it
        }
    }

    private CompletableFuture<Session> toCompletable(Future<Session> attempt) {
        CompletableFuture<Session> result = new CompletableFuture<>();
        connectors.execute(() -> {
            try {
                result.complete(attempt.get());
            } catch (ExecutionException e) {
                result.completeExceptionally(e.getCause());
            } catch (InterruptedException | java.util.concurrent.CancellationException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Forwards every event to the relay's endpoint and signals when the session is open. */
    public static final class OpenSignal extends Endpoint {
        private final Endpoint endpoint;
        final CompletableFuture<Session> session = new CompletableFuture<>();

        OpenSignal(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public void onOpen(Session openSession, jakarta.websocket.EndpointConfig config) {
            endpoint.onOpen(openSession, config);
            session.complete(openSession);
        }

        @Override
        public void onClose(Session closedSession, jakarta.websocket.CloseReason closeReason) {
            endpoint.onClose(closedSession, closeReason);
        }

        @Override
        public void onError(Session failedSession, Throwable error) {
            endpoint.onError(failedSession, error);
        }
    }

    /** Registered with {@link java.util.ServiceLoader}; chosen by {@code WebSocketProxy.Builder.messageClient}. */
    public static final class Factory implements UpstreamClient.Factory {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public UpstreamClient create(Duration handshakeTimeout, int maxFrameSize) {
            return new JettyUpstreamClient(handshakeTimeout, maxFrameSize);
        }
    }
}
