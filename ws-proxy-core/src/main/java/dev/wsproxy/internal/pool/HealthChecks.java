package dev.wsproxy.internal.pool;

import dev.wsproxy.HealthCheck;
import dev.wsproxy.internal.tunnel.TunnelConnector;
import dev.wsproxy.internal.tunnel.UpstreamHandshake;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Active health checks: every interval, one check per member of each pool that has a {@link HealthCheck},
 * started from the pools' one scheduler thread and completed on I/O threads (no thread waits for a member).
 * A WebSocket check is a real handshake through the tunnel connector, closed at once; an HTTP check is a
 * {@code GET} with the JDK client. Expanded names are re-resolved (when older than the TTL) before each round, so
 * every current address is checked. Thread-safe.
 */
public final class HealthChecks implements AutoCloseable {

    /** A WebSocket handshake to {@code target} at {@code address}; completes when it is done and closed. */
    @FunctionalInterface
    public interface Probe {
        CompletableFuture<?> handshake(URI target, InetSocketAddress address, Duration timeout);
    }

    private final Probe probe;
    private HttpClient http;

    /** The WebSocket handshake of a check, made with the tunnel connector and closed at once (close frame 1000). */
    public static Probe tunnelProbe(TunnelConnector connector) {
        return (target, address, timeout) -> {
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            TunnelConnector.ClientOffer offer = new TunnelConnector.ClientOffer(Base64.getEncoder()
                    .encodeToString(nonce), "13", List.of(), List.of());
            return connector.connect(target, address, Map.of(), offer, timeout)
                    .thenAccept(UpstreamHandshake::closeUnused);
        };
    }

    HealthChecks(Probe probe) {
        this.probe = probe;
    }

    void start(Pool pool, ScheduledExecutorService scheduler) {
        HealthCheck check = pool.spec.settings().healthCheck();
        scheduler.scheduleWithFixedDelay(() -> pool.refresh().thenRun(() -> {
            for (Member member : pool.live()) {
                CompletableFuture<?> done;
                try {
                    done = check.httpPath() == null ? webSocket(pool, member, check) : http(member, check);
                } catch (RuntimeException e) {
                    done = CompletableFuture.failedFuture(e);
                }
                done.orTimeout(check.timeout().toMillis() + 500, TimeUnit.MILLISECONDS).whenComplete((ok, failure) ->
                        member.checked(failure == null, check.rise(), check.fall(), failure == null ? null
                                : describe(failure)));
            }
        }), 0, check.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private CompletableFuture<?> webSocket(Pool pool, Member member, HealthCheck check) {
        URI target = URI.create(member.base + (member.uri.getRawPath() == null || member.uri.getRawPath().isEmpty()
                ? "/" : member.uri.getRawPath()));
        return pool.dns.resolve(member).thenCompose(address -> probe.handshake(target, address, check.timeout()));
    }

    private CompletableFuture<?> http(Member member, HealthCheck check) {
        // an expanded member is checked at its address (plain HTTP only: PoolSpec refuses HTTPS checks for them)
        String authority = member.address == null ? member.uri.getRawAuthority() : literal(member) + ":" + member.port;
        URI target = URI.create((member.secure ? "https://" : "http://") + authority + check.httpPath());
        HttpRequest request = HttpRequest.newBuilder(target).timeout(check.timeout()).GET().build();
        return client().sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(response -> {
            if (response.statusCode() >= 400) {
                throw new CompletionException(new IllegalStateException("GET " + check.httpPath() + " answered HTTP "
                        + response.statusCode()));
            }
            return response;
        });
    }

    private static String literal(Member member) {
        String ip = member.address.getHostAddress();
        return ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
    }

    private synchronized HttpClient client() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return http;
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    @Override
    public synchronized void close() {
        http = null; // the JDK client has no close before Java 21; its threads are daemons and idle out
    }
}
