package dev.wsproxy.spring;

import dev.wsproxy.AsyncHandshakeAuthorizer;
import dev.wsproxy.HandshakeAuthorizer;
import dev.wsproxy.ProxyListener;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.RateLimit;
import dev.wsproxy.WebSocketProxy;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.util.unit.DataSize;

/**
 * Builds a {@link WebSocketProxy} from bound {@link WebSocketProxyProperties}. Type errors (a duration that is
 * not one) are Spring's binding errors, which name the key; everything the builders refuse is rethrown here
 * with the key in front, e.g. {@code ws-proxy.routes[0].upstream: upstream must be ws:// or wss:// ...}.
 * Stateless; thread-safe.
 */
final class PropertiesToProxy {

    private PropertiesToProxy() {
    }

    static WebSocketProxy build(WebSocketProxyProperties properties, List<ProxyListener> listeners) {
        return build(properties, listeners, List.of(), List.of());
    }

    /** Also takes the application's {@link HandshakeAuthorizer} or {@link AsyncHandshakeAuthorizer} bean (one). */
    static WebSocketProxy build(WebSocketProxyProperties properties, List<ProxyListener> listeners,
                                List<HandshakeAuthorizer> authorizers, List<AsyncHandshakeAuthorizer> asyncAuthorizers) {
        if (properties.getRoutes().isEmpty()) {
            throw new IllegalArgumentException("ws-proxy.routes is empty (add ws-proxy.routes[0].prefix=/ws/ and"
                    + " ws-proxy.routes[0].upstream=ws://backend:8080/, or set ws-proxy.enabled=false)");
        }
        WebSocketProxy.Builder proxy = WebSocketProxy.builder();
        List<WebSocketProxyProperties.Route> routes = properties.getRoutes();
        for (int i = 0; i < routes.size(); i++) {
            String key = "ws-proxy.routes[" + i + "]";
            ProxyRoute route = route(routes.get(i), key);
            apply(key, () -> proxy.route(route));
        }
        setIfPresent("ws-proxy.max-connections", properties.getMaxConnections(), proxy::maxConnections);
        setIfPresent("ws-proxy.max-connections-per-client", properties.getMaxConnectionsPerClient(),
                proxy::maxConnectionsPerClient);
        setIfPresent("ws-proxy.drain-timeout", properties.getDrainTimeout(), proxy::drainTimeout);
        setIfPresent("ws-proxy.request-head-timeout", properties.getRequestHeadTimeout(), proxy::requestHeadTimeout);
        setIfPresent("ws-proxy.detailed-errors", properties.getDetailedErrors(), proxy::detailedErrors);
        setIfPresent("ws-proxy.message-client", properties.getMessageClient(), proxy::messageClient);
        setIfPresent("ws-proxy.metrics", properties.getMetrics(), proxy::metrics);
        setIfPresent("ws-proxy.jmx", properties.getJmx(), proxy::jmx);
        setIfPresent("ws-proxy.access-log", properties.getAccessLog(), proxy::accessLog);
        setIfPresent("ws-proxy.authorization-timeout", properties.getAuthorizationTimeout(),
                proxy::authorizationTimeout);
        if (authorizers.size() + asyncAuthorizers.size() > 1) {
            throw new IllegalStateException((authorizers.size() + asyncAuthorizers.size()) + " HandshakeAuthorizer"
                    + " and AsyncHandshakeAuthorizer beans found but the proxy takes one (combine them in one)");
        }
        authorizers.forEach(proxy::authorizer);
        asyncAuthorizers.forEach(proxy::asyncAuthorizer);
        if (listeners.size() == 1) {
            proxy.listener(listeners.get(0));
        } else if (listeners.size() > 1) {
            throw new IllegalStateException(listeners.size() + " ProxyListener beans found but the proxy takes one"
                    + " (combine them in one listener, or define your own WebSocketProxy bean)");
        }
        return proxy.build();
    }

    private static ProxyRoute route(WebSocketProxyProperties.Route route, String key) {
        int kinds = (route.getPrefix() != null ? 1 : 0) + (route.getExact() != null ? 1 : 0)
                + (route.getRegex() != null ? 1 : 0);
        if (kinds != 1) {
            throw new IllegalArgumentException(key + " needs exactly one of " + key + ".prefix, " + key + ".exact or "
                    + key + ".regex but has " + kinds);
        }
        if (route.getUpstream() == null && route.getUpstreams() == null) {
            throw new IllegalArgumentException(key + ".upstream is missing (e.g. " + key
                    + ".upstream=ws://backend:8080/, or " + key + ".upstreams=ws://b-1:8080/,ws://b-2:8080/)");
        }
        ProxyRoute.Builder builder = route.getPrefix() != null ? ProxyRoute.prefix(route.getPrefix())
                : route.getExact() != null ? ProxyRoute.exact(route.getExact()) : ProxyRoute.regex(route.getRegex());
        setIfPresent(key + ".upstream", route.getUpstream(), builder::upstream);
        PoolFromProperties.apply(route, key, builder);
        setIfPresent(key + ".connect-timeout", route.getConnectTimeout(), builder::connectTimeout);
        setIfPresent(key + ".ping-interval", route.getPingInterval(), builder::pingInterval);
        setIfPresent(key + ".idle-timeout", route.getIdleTimeout(), builder::idleTimeout);
        setIfPresent(key + ".max-frame-size", route.getMaxFrameSize(),
                size -> builder.maxFrameSize((int) Math.min(Integer.MAX_VALUE, size.toBytes())));
        setIfPresent(key + ".max-message-size", route.getMaxMessageSize(),
                (DataSize size) -> builder.maxMessageSize(size.toBytes()));
        setIfPresent(key + ".max-connections", route.getMaxConnections(), builder::maxConnections);
        setIfPresent(key + ".reject-non-upgrade", route.getRejectNonUpgrade(), builder::rejectNonUpgrade);
        setIfPresent(key + ".preserve-host", route.getPreserveHost(), builder::preserveHost);
        setIfPresent(key + ".allowed-origins", route.getAllowedOrigins(),
                origins -> builder.allowedOrigins(origins.toArray(String[]::new)));
        setIfPresent(key + ".trusted-proxies", route.getTrustedProxies(),
                proxies -> builder.trustedProxies(proxies.toArray(String[]::new)));
        setIfPresent(key + ".forwarded-header", route.getForwardedHeader(), builder::forwardedHeader);
        setIfPresent(key + ".allow-encoded-slash", route.getAllowEncodedSlash(), builder::allowEncodedSlash);
        setIfPresent(key + ".keep-repeated-slashes", route.getKeepRepeatedSlashes(), builder::keepRepeatedSlashes);
        setIfPresent(key + ".keep-underscore-headers", route.getKeepUnderscoreHeaders(),
                builder::keepUnderscoreHeaders);
        setIfPresent(key + ".user-header", route.getUserHeader(), builder::userHeader);
        setIfPresent(key + ".relay-mode", route.getRelayMode(), mode -> {
            try {
                builder.relayMode(ProxyRoute.RelayMode.valueOf(mode.trim().toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("relay-mode must be tunnel or message but was '" + mode + "'", e);
            }
        });
        rateLimit(route, key, builder);
        for (Map.Entry<String, String> header : route.getSetHeader().entrySet()) {
            apply(key + ".set-header." + header.getKey(), () -> builder.setHeader(header.getKey(), header.getValue()));
        }
        for (Map.Entry<String, String> header : route.getAddHeader().entrySet()) {
            apply(key + ".add-header." + header.getKey(), () -> builder.addHeader(header.getKey(), header.getValue()));
        }
        for (String header : route.getRemoveHeaders()) {
            apply(key + ".remove-headers", () -> builder.removeHeader(header));
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static void rateLimit(WebSocketProxyProperties.Route route, String key, ProxyRoute.Builder builder) {
        if (route.getRateLimitMessagesPerSecond() == null && route.getRateLimitBytesPerSecond() == null
                && route.getRateLimitAction() == null) {
            return;
        }
        RateLimit.Builder limit = RateLimit.builder();
        setIfPresent(key + ".rate-limit-messages-per-second", route.getRateLimitMessagesPerSecond(),
                limit::messagesPerSecond);
        setIfPresent(key + ".rate-limit-bytes-per-second", route.getRateLimitBytesPerSecond(),
                size -> limit.bytesPerSecond(size.toBytes()));
        setIfPresent(key + ".rate-limit-action", route.getRateLimitAction(), action -> {
            String normalized = action.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
            if (!normalized.equals("SLOW_DOWN") && !normalized.equals("CLOSE")) {
                throw new IllegalArgumentException("rate-limit-action must be slow-down or close but was '"
                        + action + "'");
            }
            limit.action(RateLimit.Action.valueOf(normalized));
        });
        apply(key, () -> builder.rateLimit(limit.build()));
    }

    private static <T> void setIfPresent(String key, T value, Consumer<T> setter) {
        if (value != null) {
            apply(key, () -> setter.accept(value));
        }
    }

    private static void apply(String key, Runnable setter) {
        try {
            setter.run();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }
}
