package dev.wsproxy.internal;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.Endpoint;
import jakarta.websocket.Session;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.client.ThreadPoolConfig;
import org.glassfish.tyrus.client.exception.DeploymentHandshakeException;
import org.glassfish.tyrus.container.jdk.client.JdkClientContainer;
import org.glassfish.tyrus.core.HandshakeException;
import org.glassfish.tyrus.core.MaskingKeyGenerator;
import org.glassfish.tyrus.spi.ClientContainer;

/**
 * The portable {@link UpstreamClient}: opens upstream WebSocket sessions with one explicitly created Tyrus
 * client (JDK transport), never whatever {@code ContainerProvider} finds on the classpath.
 *
 * <p>Thread-safe. {@link #connect} blocks the calling thread for at most the given deadline: Tyrus's own
 * handshake timeout does not cover the TCP connect, so the attempt runs on a connector thread and the
 * caller stops waiting at the deadline; a session that still opens after that is closed by the relay.
 */
public final class TyrusUpstreamClient implements UpstreamClient {

    /** The name {@link UpstreamClients} selects it by. */
    public static final String NAME = "tyrus";

    /**
     * Tyrus reads upstream frames on a shared pool and our handlers block on the client's send
     * (backpressure), so the pool must be allowed to grow with the number of busy connections; idle
     * connections hold no thread.
     */
    private static final ThreadPoolConfig WORKER_POOL = ThreadPoolConfig.defaultConfig()
            .setPoolName("ws-proxy-upstream").setCorePoolSize(2).setMaxPoolSize(4096)
            .setKeepAliveTime(10, TimeUnit.SECONDS).setDaemon(true);

    private final ClientManager client;
    /**
     * Supplies the executors Tyrus sessions schedule on (idle-timeout timers). The connecting
     * {@code ClientManager} shuts its own executors down whenever its count of active connections drops to
     * zero and recreates them lazily, without a lock on the read side: a session created while that happens
     * can get the terminated scheduler, its constructor then throws {@code RejectedExecutionException} on a
     * transport thread and the handshake never completes (the client gets 504 at the deadline). This
     * second manager never connects, so it never counts down; its executors live until {@link #close()}.
     */
    private final ClientManager sessionExecutors;
    private final ThreadPoolExecutor connectors;

    /**
     * @param handshakeTimeout the longest deadline of any route
     */
    public TyrusUpstreamClient(Duration handshakeTimeout) {
        TyrusLogging.routeToSlf4j();
        sessionExecutors = ClientManager.createClient(JdkClientContainer.class.getName());
        client = ClientManager.createClient(JdkClientContainer.class.getName(), sessionExecutors);
        client.getProperties().put(ClientProperties.HANDSHAKE_TIMEOUT,
                (int) Math.min(Integer.MAX_VALUE, handshakeTimeout.toMillis()));
        client.getProperties().put(ClientProperties.WORKER_THREAD_POOL_CONFIG, WORKER_POOL);
        client.getProperties().put(ClientProperties.REDIRECT_ENABLED, false);
        client.getProperties().put(ClientProperties.RETRY_AFTER_SERVICE_UNAVAILABLE, false);
        // Tyrus's default key generator is one NativePRNG: a JVM-wide lock taken for every frame sent.
        client.getProperties().put(ClientProperties.MASKING_KEY_GENERATOR, (MaskingKeyGenerator) MaskKeys::nextInt);
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
    public Connected connect(String target, Map<String, String> headers, List<String> subprotocols,
                             Endpoint endpoint, Duration deadline, int maxFrameSize) throws UpstreamFailure {
        UpstreamRequestConfigurator capture = new UpstreamRequestConfigurator(headers);
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                .preferredSubprotocols(subprotocols)
                .configurator(capture)
                .build();
        // Tyrus buffers one whole incoming frame; this per-connection property overrides the client's.
        config.getUserProperties().put(ClientContainer.WLS_INCOMING_BUFFER_SIZE, maxFrameSize);
        URI wireUri = tyrusUri(target);
        Future<Session> attempt;
        try {
            attempt = connectors.submit(() -> client.connectToServer(endpoint, config, wireUri));
        } catch (RuntimeException e) {
            throw new UpstreamFailure(502, "upstream connector is shut down", e);
        }
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
            throw classify(target, e.getCause(), capture.status(), deadline);
        }
    }

    /**
     * Tyrus's JDK transport writes {@code URI.getPath()}, which is decoded, onto the request line. Escaping
     * every {@code %} once makes that decoding give back the raw path, so percent-encoding survives.
     */
    static URI tyrusUri(String target) {
        int schemeEnd = target.indexOf("://");
        int pathStart = target.indexOf('/', schemeEnd + 3);
        if (pathStart < 0) {
            return URI.create(target);
        }
        return URI.create(target.substring(0, pathStart) + target.substring(pathStart).replace("%", "%25"));
    }

    private static UpstreamFailure classify(String target, Throwable error, int capturedStatus, Duration deadline) {
        String upstream = UpstreamRequestConfigurator.origin(target);
        // afterResponse may not have run yet when the failure arrives; the exception carries the status too.
        int status = capturedStatus;
        for (Throwable t = error; t != null && status <= 0; t = t.getCause()) {
            if (t instanceof DeploymentHandshakeException) {
                status = ((DeploymentHandshakeException) t).getHttpStatusCode();
            } else if (t instanceof HandshakeException) {
                status = ((HandshakeException) t).getHttpStatusCode();
            }
        }
        if (status > 0 && status != 101) {
            return UpstreamFailures.answered(upstream, status, error);
        }
        // Tyrus reports a non-HTTP answer and a missing answer only as DeploymentExceptions with these messages:
        // no type carries them, so they are the one place the message text is read.
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HandshakeException) {
                return new UpstreamFailure(502, "upstream " + upstream + " sent an invalid WebSocket handshake"
                        + " response: " + t.getMessage(), error);
            }
            if (t.getMessage() != null && t.getMessage().startsWith("Handshake error")) {
                return new UpstreamFailure(502, "upstream " + upstream + " did not answer the WebSocket handshake"
                        + " with a valid HTTP response (is that port a WebSocket server?)", error);
            }
            if (t.getMessage() != null && t.getMessage().contains("Handshake response not received")) {
                return new UpstreamFailure(504, "upstream " + upstream + " did not complete the WebSocket"
                        + " handshake within " + Durations.format(deadline), error);
            }
        }
        return UpstreamFailures.classify(upstream, error, deadline);
    }


    /** Stops the connector threads and the Tyrus client. Open sessions must be closed first. */
    @Override
    public void close() {
        connectors.shutdownNow();
        client.shutdown();
        sessionExecutors.shutdown();
    }

}
