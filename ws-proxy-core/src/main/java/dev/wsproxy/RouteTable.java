package dev.wsproxy;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Chooses the route for a request path: exact routes, then the longest prefix, then regexes in registration order
 * (moved out of {@link WebSocketProxy} unchanged). Immutable and thread-safe.
 */
final class RouteTable {

    private final List<ProxyRoute> exact;
    private final List<ProxyRoute> prefixes;
    private final List<ProxyRoute> regexes;

    RouteTable(List<ProxyRoute> routes) {
        this.exact = routes.stream().filter(r -> r.match() == ProxyRoute.Match.EXACT).toList();
        this.prefixes = routes.stream().filter(r -> r.match() == ProxyRoute.Match.PREFIX)
                .sorted(Comparator.comparingInt((ProxyRoute r) -> r.path().length()).reversed()).toList();
        this.regexes = routes.stream().filter(r -> r.match() == ProxyRoute.Match.REGEX).toList();
    }

    /**
     * The route for a normalised path and its upstream URI, or {@code null}: exact, longest prefix, regexes in
     * order.
     */
    Map.Entry<ProxyRoute, String> route(String path, String rawQuery) {
        for (ProxyRoute candidate : exact) {
            String target = candidate.rewrite(path, rawQuery);
            if (target != null) {
                return Map.entry(candidate, target);
            }
        }
        // prefixes are sorted longest first; "/ws/admin" belongs to prefix "/ws/admin/" rather than to "/ws/"
        Map.Entry<ProxyRoute, String> bare = null;
        for (ProxyRoute candidate : prefixes) {
            String target = candidate.rewrite(path, rawQuery);
            if (target != null) {
                return bare != null && bare.getKey().path().length() - 1 > candidate.path().length()
                        ? bare : Map.entry(candidate, target);
            }
            String bareTarget = bare == null ? candidate.rewriteBare(path, rawQuery) : null;
            if (bareTarget != null) {
                bare = Map.entry(candidate, bareTarget);
            }
        }
        if (bare != null) {
            return bare;
        }
        for (ProxyRoute candidate : regexes) {
            String target = candidate.rewrite(path, rawQuery);
            if (target != null) {
                return Map.entry(candidate, target);
            }
        }
        return null;
    }
}
