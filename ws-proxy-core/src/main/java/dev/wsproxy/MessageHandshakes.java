package dev.wsproxy;

import dev.wsproxy.internal.ActiveConnections;
import dev.wsproxy.internal.Authorization;
import dev.wsproxy.internal.ClientEndpointConfigs;
import dev.wsproxy.internal.HandshakeValidator;
import dev.wsproxy.internal.HeaderTokens;
import dev.wsproxy.internal.ProxiedConnection;
import dev.wsproxy.internal.Relay;
import dev.wsproxy.internal.RelayTimers;
import dev.wsproxy.internal.UpstreamClient;
import dev.wsproxy.internal.UpstreamFailure;
import dev.wsproxy.internal.UpstreamHeaders;
import dev.wsproxy.internal.pool.Pools;
import jakarta.websocket.Session;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Message mode's handshake: the upstream session is opened through the route's pool with the message-mode
 * upstream client, blocking the calling thread (at most the route's connect timeout), and checked before the
 * client is upgraded. Thread-safe; one per proxy.
 */
final class MessageHandshakes {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketProxy.class);

    /** Gives a relay's slots back: its pool member's and the connection limits'. */
    interface Released {
        void release(ProxiedConnection relay, ProxyRoute route, String clientAddress);
    }

    private final Pools pools;
    private final RelayTimers timers;
    private final ProxyListener listener;
    private final ActiveConnections active;
    private final Refusals refusals;
    private final Supplier<UpstreamClient> connector;
    private final Released released;
    private final BooleanSupplier closed;

    MessageHandshakes(Pools pools, RelayTimers timers, ProxyListener listener, ActiveConnections active,
                      Refusals refusals, Supplier<UpstreamClient> connector, Released released,
                      BooleanSupplier closed) {
        this.pools = pools;
        this.timers = timers;
        this.listener = listener;
        this.active = active;
        this.refusals = refusals;
        this.connector = connector;
        this.released = released;
        this.closed = closed;
    }

    /** Message mode: the upstream session is opened with the upstream client, blocking this thread. */
    HandshakeResult open(String id, ProxyRoute route, String target, URI targetUri,
                                    HandshakeRequest request, String key, HandshakeDecision decision) {
        ProxyRoute slotRoute = route;
        Relay relay = new Relay(id, route, request.remoteAddress(), request.path(), targetUri, timers,
                listener, ended -> released.release(ended, slotRoute, request.remoteAddress()));
        active.add(relay);
        List<String> offered = UpstreamHeaders.offeredSubprotocols(request);
        Map<String, String> headers = Authorization.withHeaders(UpstreamHeaders.forUpstream(request,
                route.preserveHost(), route.strippedPrefix(), route.headerPolicy()), decision);
        UpstreamClient.Connected connected;
        try {
            Pools.Connected<UpstreamClient.Connected> chosen = pools.connect(id, route, key, target,
                    decision.upstream(), route.connectTimeout(), Pools.messageAttempt(connector,
                            headers, offered, relay.upstreamEndpoint(), route.maxFrameSize())).join();
            connected = chosen.value;
            relay.upstreamChosen(chosen.target, chosen.member());
            pools.attach(relay, chosen);
        } catch (CompletionException e) {
            released.release(relay, route, request.remoteAddress());
            if (!(e.getCause() instanceof UpstreamFailure)) {
                throw e;
            }
            LOG.debug("[{}] upstream failure", id, e.getCause().getCause());
            return refusals.refusePool(id, request, (UpstreamFailure) e.getCause());
        } catch (RuntimeException e) {
            released.release(relay, route, request.remoteAddress());
            throw e;
        }
        try {
            Session upstream = connected.session;
            String chosen = upstream.getNegotiatedSubprotocol();
            if (chosen != null && chosen.isEmpty()) {
                chosen = null;
            }
            if (chosen != null && !offered.contains(chosen)) {
                relay.clientUpgradeFailed(new IllegalStateException("upstream chose an unoffered subprotocol"));
                return refusals.refuseUpstream(id, request, 502, "upstream chose subprotocol '"
                        + HandshakeValidator.printable(chosen)
                        + "' which the client did not offer (offered: " + offered + "; fix the upstream's"
                        + " subprotocol selection)");
            }
            relay.upstreamConnected(chosen);
            List<String> setCookies = new ArrayList<>(
                    connected.responseHeaders.getOrDefault("Set-Cookie", List.of()));
            setCookies.removeIf(v -> !HeaderTokens.isSafeValue(v));
            LOG.debug("[{}] {} {} -> {} (subprotocol {})", id, request.remoteAddress(), request, target, chosen);
            if (closed.getAsBoolean()) {
                relay.shutdown();
                return refusals.refuse(id, request, 503, "proxy is shutting down", Map.of("Retry-After", "1"));
            }
            return HandshakeResult.upgrade(relay, ClientEndpointConfigs.create(relay, chosen, setCookies));
        } catch (RuntimeException e) {
            relay.clientUpgradeFailed(e);
            throw e;
        }
    }
}
