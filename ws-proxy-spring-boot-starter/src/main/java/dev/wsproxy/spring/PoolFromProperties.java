package dev.wsproxy.spring;

import dev.wsproxy.Balance;
import dev.wsproxy.HealthCheck;
import dev.wsproxy.PoolSettings;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.Upstream;
import java.time.Duration;

/** The upstream-pool properties of one {@code ws-proxy.routes[n]}, applied to its builder. Stateless. */
final class PoolFromProperties {

    private PoolFromProperties() {
    }

    static void apply(WebSocketProxyProperties.Route route, String key, ProxyRoute.Builder builder) {
        if (route.getUpstreams() != null) {
            Upstream[] members = new Upstream[route.getUpstreams().size()];
            for (int i = 0; i < members.length; i++) {
                int n = i;
                wrap(key + ".upstreams[" + i + "]", () -> members[n] = Upstream.parse(route.getUpstreams().get(n)));
            }
            builder.upstreams(members);
        }
        if (route.getBalance() != null) {
            wrap(key + ".balance", () -> builder.balance(Balance.parse(route.getBalance())));
        }
        PoolSettings.Builder settings = PoolSettings.builder();
        boolean any = false;
        if (route.getMaxFails() != null) {
            settings.maxFails(route.getMaxFails());
            any = true;
        }
        if (route.getFailTimeout() != null) {
            settings.failTimeout(route.getFailTimeout());
            any = true;
        }
        if (route.getMaxAttempts() != null) {
            settings.maxAttempts(route.getMaxAttempts());
            any = true;
        }
        if (route.getAttemptTimeout() != null) {
            settings.attemptTimeout(route.getAttemptTimeout());
            any = true;
        }
        if (route.getDnsTtl() != null) {
            settings.dnsTtl(route.getDnsTtl());
            any = true;
        }
        if (route.getHealthCheck() != null) {
            String check = route.getHealthCheck().trim();
            Duration interval = route.getHealthCheckInterval() != null ? route.getHealthCheckInterval()
                    : Duration.ofSeconds(5);
            HealthCheck health;
            if (check.equalsIgnoreCase("websocket")) {
                health = HealthCheck.webSocket(interval);
            } else if (check.regionMatches(true, 0, "http:", 0, 5)) {
                health = HealthCheck.http(check.substring(5), interval);
            } else {
                throw new IllegalArgumentException(key + ".health-check must be websocket or http:<path> but was '"
                        + check + "' (e.g. http:/health)");
            }
            if (route.getHealthCheckTimeout() != null) {
                health = health.timeout(route.getHealthCheckTimeout());
            }
            if (route.getHealthCheckRise() != null) {
                health = health.rise(route.getHealthCheckRise());
            }
            if (route.getHealthCheckFall() != null) {
                health = health.fall(route.getHealthCheckFall());
            }
            settings.healthCheck(health);
            any = true;
        }
        if (any) {
            wrap(key, () -> builder.poolSettings(settings.build()));
        }
    }

    private static void wrap(String key, Runnable setter) {
        try {
            setter.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }
}
