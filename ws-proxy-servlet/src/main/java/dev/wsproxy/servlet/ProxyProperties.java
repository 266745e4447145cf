package dev.wsproxy.servlet;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a proxy configuration from {@link Properties}, for deployments configured by a file rather than
 * code (see {@link WebSocketProxyInitializer}). The format:
 *
 * <pre>
 * # routes, in the order regex routes are tried
 * routes = chat, api
 *
 * route.chat.prefix = /ws/chat/
 * route.chat.upstream = ws://chat-backend:8080/
 * route.chat.connect-timeout = 5s
 *
 * route.api.regex = ^/ws/api/(.*)$
 * route.api.upstream = wss://api.internal/$1
 * route.api.preserve-host = false
 * route.api.reject-non-upgrade = true
 * </pre>
 *
 * <p>Each route names exactly one of {@code prefix}, {@code exact} or {@code regex}, and an
 * {@code upstream}; the rest are optional with {@link ProxyRoute}'s defaults. Durations are ISO-8601
 * ({@code PT5S}) or a number with {@code ms}, {@code s}, {@code m} or {@code h}. Unknown keys are errors, so
 * a typo does not silently fall back to a default. Values are trimmed. Stateless; thread-safe.
 */
public final class ProxyProperties {

    private static final Set<String> ROUTE_KEYS = Set.of("prefix", "exact", "regex", "upstream",
            "connect-timeout", "preserve-host", "reject-non-upgrade");
    private static final Pattern ROUTE_KEY = Pattern.compile("route\\.([^.]+)\\.(.+)");
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private ProxyProperties() {
    }

    /**
     * Builds a proxy from {@code properties}.
     *
     * @param source where the properties came from, used in error messages (e.g. {@code /WEB-INF/ws-proxy.properties})
     * @throws IllegalArgumentException naming the key, the value and the fix
     */
    public static WebSocketProxy toProxy(Properties properties, String source) {
        return toBuilder(properties, source).build();
    }

    /** Like {@link #toProxy} but returns the builder, so code can add routes before building. */
    public static WebSocketProxy.Builder toBuilder(Properties properties, String source) {
        Objects.requireNonNull(properties, "properties");
        String where = source == null ? "ws-proxy properties" : source;
        List<String> names = routeNames(properties, where);
        checkKeys(properties, names, where);
        WebSocketProxy.Builder builder = WebSocketProxy.builder();
        for (String name : names) {
            builder.route(route(properties, name, where));
        }
        return builder;
    }

    private static List<String> routeNames(Properties properties, String where) {
        String list = properties.getProperty("routes");
        if (list == null || list.isBlank()) {
            throw new IllegalArgumentException(where + ": 'routes' is missing (list the route names, e.g."
                    + " routes = chat, then route.chat.prefix = /ws/chat/ and route.chat.upstream = ws://b:8080/)");
        }
        Set<String> names = new LinkedHashSet<>();
        for (String name : list.split(",")) {
            String trimmed = name.trim();
            if (!trimmed.isEmpty() && !names.add(trimmed)) {
                throw new IllegalArgumentException(where + ": route '" + trimmed + "' is listed twice in 'routes'");
            }
        }
        return new ArrayList<>(names);
    }

    private static void checkKeys(Properties properties, List<String> names, String where) {
        for (String key : properties.stringPropertyNames()) {
            if (key.equals("routes")) {
                continue;
            }
            Matcher m = ROUTE_KEY.matcher(key);
            if (!m.matches() || !ROUTE_KEYS.contains(m.group(2))) {
                throw new IllegalArgumentException(where + ": unknown key '" + key + "' (known: routes, route.<name>."
                        + String.join(", route.<name>.", new java.util.TreeSet<>(ROUTE_KEYS)) + ")");
            }
            if (!names.contains(m.group(1))) {
                throw new IllegalArgumentException(where + ": '" + key + "' belongs to route '" + m.group(1)
                        + "' which is not listed in 'routes' (add it: routes = " + String.join(", ", names)
                        + (names.isEmpty() ? "" : ", ") + m.group(1) + ")");
            }
        }
    }

    private static ProxyRoute route(Properties properties, String name, String where) {
        String prefix = value(properties, name, "prefix");
        String exact = value(properties, name, "exact");
        String regex = value(properties, name, "regex");
        int kinds = (prefix != null ? 1 : 0) + (exact != null ? 1 : 0) + (regex != null ? 1 : 0);
        if (kinds != 1) {
            throw new IllegalArgumentException(where + ": route '" + name + "' needs exactly one of route." + name
                    + ".prefix, route." + name + ".exact or route." + name + ".regex but has " + kinds);
        }
        ProxyRoute.Builder route = prefix != null ? ProxyRoute.prefix(prefix)
                : exact != null ? ProxyRoute.exact(exact) : ProxyRoute.regex(regex);
        String upstream = value(properties, name, "upstream");
        if (upstream == null) {
            throw new IllegalArgumentException(where + ": route." + name + ".upstream is missing"
                    + " (e.g. route." + name + ".upstream = ws://backend:8080/)");
        }
        route.upstream(upstream);
        String timeout = value(properties, name, "connect-timeout");
        if (timeout != null) {
            route.connectTimeout(duration(timeout, "route." + name + ".connect-timeout", where));
        }
        String preserveHost = value(properties, name, "preserve-host");
        if (preserveHost != null) {
            route.preserveHost(bool(preserveHost, "route." + name + ".preserve-host", where));
        }
        String rejectNonUpgrade = value(properties, name, "reject-non-upgrade");
        if (rejectNonUpgrade != null) {
            route.rejectNonUpgrade(bool(rejectNonUpgrade, "route." + name + ".reject-non-upgrade", where));
        }
        try {
            return route.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": route '" + name + "': " + e.getMessage(), e);
        }
    }

    private static String value(Properties properties, String route, String key) {
        String value = properties.getProperty("route." + route + "." + key);
        return value == null ? null : value.trim();
    }

    /** Parses {@code PT5S}, {@code 5s}, {@code 500ms}, {@code 2m}, {@code 1h}. */
    static Duration duration(String text, String key, String where) {
        Matcher m = SIMPLE_DURATION.matcher(text.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms":
                    return Duration.ofMillis(amount);
                case "s":
                    return Duration.ofSeconds(amount);
                case "m":
                    return Duration.ofMinutes(amount);
                default:
                    return Duration.ofHours(amount);
            }
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where + ": " + key + " must be a duration but was '" + text
                    + "' (use e.g. 10s, 500ms or PT10S)", e);
        }
    }

    private static boolean bool(String text, String key, String where) {
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new IllegalArgumentException(where + ": " + key + " must be true or false but was '" + text + "'");
    }
}
