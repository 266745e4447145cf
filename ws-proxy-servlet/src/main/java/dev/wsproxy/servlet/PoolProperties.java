package dev.wsproxy.servlet;

import dev.wsproxy.Balance;
import dev.wsproxy.HealthCheck;
import dev.wsproxy.PoolSettings;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.Upstream;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The upstream-pool keys of a route in {@code ws-proxy.properties}:
 *
 * <pre>
 * route.chat.upstreams = ws://chat-1:8080/, ws://chat-2:8080/ weight=2, ws://chat-3:8080/ backup max-connections=500
 * route.feed.upstreams = ws://feed.internal:8080/ expand-addresses     (each address of the name a member)
 * route.chat.balance = hash:cookie:sid
 * route.chat.max-fails = 1
 * route.chat.fail-timeout = 10s
 * route.chat.max-attempts = 0
 * route.chat.attempt-timeout = 0s
 * route.chat.dns-ttl = 30s
 * route.chat.health-check = http:/health      (or websocket)
 * route.chat.health-check-interval = 5s
 * route.chat.health-check-timeout = 2s
 * route.chat.health-check-rise = 2
 * route.chat.health-check-fall = 3
 * </pre>
 *
 * Members are comma-separated; each is a URI followed by optional {@code weight=N}, {@code backup} and
 * {@code max-connections=N} and {@code expand-addresses} ({@link Upstream#expandAddresses()}). Stateless.
 */
final class PoolProperties {

    static final Set<String> KEYS = Set.of("upstreams", "balance", "max-fails", "fail-timeout", "max-attempts",
            "attempt-timeout", "dns-ttl", "health-check", "health-check-interval", "health-check-timeout",
            "health-check-rise", "health-check-fall");

    private PoolProperties() {
    }

    /** {@code routeKeys} and the pool keys. */
    static Set<String> withPoolKeys(Set<String> routeKeys) {
        Set<String> all = new HashSet<>(routeKeys);
        all.addAll(KEYS);
        return Set.copyOf(all);
    }

    /**
     * Applies the pool keys of route {@code name}.
     *
     * @param value the trimmed value of {@code route.<name>.<key>}, or {@code null}
     */
    static void apply(ProxyRoute.Builder route, Function<String, String> value, String name, String where) {
        String key = "route." + name + ".";
        String upstreams = value.apply("upstreams");
        if (upstreams != null) {
            route.upstreams(members(upstreams, key + "upstreams", where));
        }
        String balance = value.apply("balance");
        if (balance != null) {
            try {
                route.balance(Balance.parse(balance));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + key + "balance: " + e.getMessage(), e);
            }
        }
        PoolSettings.Builder settings = PoolSettings.builder();
        boolean any = false;
        for (String k : KEYS) {
            any |= !k.equals("upstreams") && !k.equals("balance") && value.apply(k) != null;
        }
        if (!any) {
            return;
        }
        String v;
        if ((v = value.apply("max-fails")) != null) {
            settings.maxFails(number(v, key + "max-fails", where));
        }
        if ((v = value.apply("fail-timeout")) != null) {
            settings.failTimeout(ProxyProperties.duration(v, key + "fail-timeout", where));
        }
        if ((v = value.apply("max-attempts")) != null) {
            settings.maxAttempts(number(v, key + "max-attempts", where));
        }
        if ((v = value.apply("attempt-timeout")) != null) {
            settings.attemptTimeout(ProxyProperties.duration(v, key + "attempt-timeout", where));
        }
        if ((v = value.apply("dns-ttl")) != null) {
            settings.dnsTtl(ProxyProperties.duration(v, key + "dns-ttl", where));
        }
        String check = value.apply("health-check");
        if (check != null) {
            Duration interval = (v = value.apply("health-check-interval")) != null
                    ? ProxyProperties.duration(v, key + "health-check-interval", where) : Duration.ofSeconds(5);
            HealthCheck health;
            if (check.equalsIgnoreCase("websocket")) {
                health = HealthCheck.webSocket(interval);
            } else if (check.toLowerCase(java.util.Locale.ROOT).startsWith("http:")) {
                health = HealthCheck.http(check.substring("http:".length()), interval);
            } else {
                throw new IllegalArgumentException(where + ": " + key + "health-check must be websocket or"
                        + " http:<path> but was '" + check + "' (e.g. http:/health)");
            }
            if ((v = value.apply("health-check-timeout")) != null) {
                health = health.timeout(ProxyProperties.duration(v, key + "health-check-timeout", where));
            }
            if ((v = value.apply("health-check-rise")) != null) {
                health = health.rise(number(v, key + "health-check-rise", where));
            }
            if ((v = value.apply("health-check-fall")) != null) {
                health = health.fall(number(v, key + "health-check-fall", where));
            }
            settings.healthCheck(health);
        } else {
            for (String k : List.of("health-check-interval", "health-check-timeout", "health-check-rise",
                    "health-check-fall")) {
                if (value.apply(k) != null) {
                    throw new IllegalArgumentException(where + ": " + key + k + " is set but " + key + "health-check"
                            + " is not (add " + key + "health-check = websocket or http:/health)");
                }
            }
        }
        try {
            route.poolSettings(settings.build());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": route '" + name + "': " + e.getMessage(), e);
        }
    }

    /** {@code ws://a:1/, ws://b:1/ weight=2 backup max-connections=10, ws://c:1/ expand-addresses}. */
    static Upstream[] members(String text, String key, String where) {
        String[] items = text.split(",");
        Upstream[] members = new Upstream[items.length];
        for (int i = 0; i < items.length; i++) {
            try {
                members[i] = Upstream.parse(items[i]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + key + ": " + e.getMessage(), e);
            }
        }
        return members;
    }

    private static int number(String text, String key, String where) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": " + key + " must be a whole number but was '" + text + "'", e);
        }
    }
}
