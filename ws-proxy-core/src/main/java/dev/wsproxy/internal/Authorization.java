package dev.wsproxy.internal;

import dev.wsproxy.AsyncHandshakeAuthorizer;
import dev.wsproxy.HandshakeAuthorizer;
import dev.wsproxy.HandshakeDecision;
import dev.wsproxy.HandshakeRequest;
import dev.wsproxy.ProxyRoute;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the proxy's {@link HandshakeAuthorizer} or {@link AsyncHandshakeAuthorizer} for one handshake and turns
 * whatever happens into an {@link Outcome}: the decision, plus the reason the proxy logs. Never fails: an
 * exception, a failed or {@code null} stage or decision becomes 403; a stage that does not complete within the
 * timeout becomes 503 with {@code Retry-After: 5} (the authorization service is what is slow, the client may
 * retry). Thread-safe.
 */
public final class Authorization {

    private static final Logger LOG = LoggerFactory.getLogger(Authorization.class);

    /** What the client is told when the authorizer itself failed; the cause goes to the log only. */
    private static final String FAILED = "handshake refused by the authorizer";

    /** A decision and the reason to log for it (for failures, the exception; the client never sees it). */
    public record Outcome(HandshakeDecision decision, String logReason) {

    }

    private final HandshakeAuthorizer sync;
    private final AsyncHandshakeAuthorizer async;
    private final Duration timeout;
    private final RelayTimers timers;

    private Authorization(HandshakeAuthorizer sync, AsyncHandshakeAuthorizer async, Duration timeout,
                          RelayTimers timers) {
        this.sync = sync;
        this.async = async;
        this.timeout = timeout;
        this.timers = timers;
    }

    /** The runner for the configured authorizer, or {@code null} when there is none. */
    public static Authorization of(HandshakeAuthorizer sync, AsyncHandshakeAuthorizer async, Duration timeout,
                                   RelayTimers timers) {
        return sync == null && async == null ? null : new Authorization(sync, async, timeout, timers);
    }

    /** Whether deciding blocks the calling thread: a synchronous authorizer and no asynchronous one. */
    public boolean blocks() {
        return async == null && sync != null;
    }

    /** Decides one handshake; the future never completes exceptionally. */
    public CompletableFuture<Outcome> decide(String id, HandshakeRequest request, ProxyRoute route) {
        if (async == null) {
            try {
                return CompletableFuture.completedFuture(outcome(id, sync.authorize(request, route), null));
            } catch (Exception | LinkageError | StackOverflowError e) {
                return CompletableFuture.completedFuture(outcome(id, null, e));
            }
        }
        CompletionStage<HandshakeDecision> stage;
        try {
            stage = async.authorize(request, route);
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            return CompletableFuture.completedFuture(outcome(id, null, e));
        }
        if (stage == null) {
            return CompletableFuture.completedFuture(outcome(id, null, new NullPointerException(
                    "the async authorizer returned no stage")));
        }
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        ScheduledFuture<?> deadline = timers.afterNonBlocking(timeout, () -> result.complete(new Outcome(
                HandshakeDecision.refuse(503, "authorization did not answer in time").withResponseHeader(
                        "Retry-After", "5"), "the async authorizer did not complete within authorizationTimeout "
                        + timeout + " (make it answer sooner or raise authorizationTimeout)")));
        stage.whenComplete((decision, failure) -> {
            deadline.cancel(false);
            result.complete(outcome(id, decision, failure));
        });
        return result;
    }

    private static Outcome outcome(String id, HandshakeDecision decision, Throwable failure) {
        if (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        if (failure == null && decision == null) {
            failure = new NullPointerException("the authorizer returned no decision (return HandshakeDecision"
                    + ".allow() or a refusal)");
        }
        if (failure != null) {
            LOG.debug("[{}] authorizer failed", id, failure);
            return new Outcome(HandshakeDecision.forbidden(FAILED),
                    "the authorizer failed: " + failure + " (refused with 403; fix the authorizer)");
        }
        return new Outcome(decision, decision.isAllowed() ? "" : "refused by the authorizer: " + decision.reason());
    }

    /** Applies an allowed decision's upstream headers to the computed ones, replacing names case-insensitively. */
    public static Map<String, String> withHeaders(Map<String, String> computed, HandshakeDecision decision) {
        decision.upstreamHeaders().forEach((name, value) -> {
            computed.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
            computed.put(name, value);
        });
        return computed;
    }
}
