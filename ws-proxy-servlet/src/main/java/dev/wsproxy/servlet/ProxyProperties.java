package dev.wsproxy.servlet;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.RateLimit;
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
 * route.api.ping-interval = 20s
 * route.api.idle-timeout = 10m
 * route.api.max-frame-size = 1MiB
 * route.api.max-message-size = 8MiB
 * route.api.max-connections = 500
 * route.api.trusted-proxies = 10.0.0.0/8, ::1
 * route.api.forwarded-header = true
 * route.api.client-compression = false
 * route.api.allowed-origins = https://app.example.com
 * route.api.set-header.X-Tenant = blue
 * route.api.add-header.X-Trace = proxy
 * route.api.remove-headers = Cookie, X-Debug
 * route.api.allow-encoded-slash = false
 * route.api.keep-repeated-slashes = false
 * route.api.keep-underscore-headers = false
 * route.api.user-header = X-Forwarded-User
 * route.api.relay-mode = tunnel
 * # upstream pools (see PoolProperties): instead of route.X.upstream
 * route.api.upstreams = ws://api-1:8080/, ws://api-2:8080/ weight=2, ws://api-3:8080/ backup
 * route.api.balance = hash:cookie:sid
 * route.api.max-fails = 1
 * route.api.fail-timeout = 10s
 * route.api.health-check = http:/health
 * route.api.rate-limit-messages-per-second = 50
 * route.api.rate-limit-bytes-per-second = 256KiB
 * route.api.rate-limit-action = slow-down
 *
 * # proxy-wide
 * max-connections = 10000
 * max-connections-per-client = 50
 * drain-timeout = 10s
 * request-head-timeout = 10s
 * detailed-errors = false
 * message-client = auto
 * metrics = true
 * jmx = false
 * access-log = keyvalue
 * authorization-timeout = 10s
 * </pre>
 *
 * <p>Each route names exactly one of {@code prefix}, {@code exact} or {@code regex}, and an
 * {@code upstream}; the rest are optional with {@link ProxyRoute}'s and {@link WebSocketProxy}'s defaults.
 * Durations are ISO-8601 ({@code PT5S}) or a number with {@code ms}, {@code s}, {@code m} or {@code h}; sizes
 * are bytes or a number with {@code KiB} or {@code MiB}; lists are comma-separated. Unknown keys are errors,
 * so a typo does not silently fall back to a default. Values are trimmed. Stateless; thread-safe.
 */
public final class ProxyProperties {

    private static final Set<String> ROUTE_KEYS = PoolProperties.withPoolKeys(Set.of("prefix", "exact", "regex",
            "upstream",
            "connect-timeout", "preserve-host", "reject-non-upgrade", "ping-interval", "idle-timeout",
            "max-frame-size", "max-message-size", "max-connections", "trusted-proxies", "forwarded-header",
            "allowed-origins", "remove-headers", "allow-encoded-slash", "keep-repeated-slashes",
            "keep-underscore-headers", "user-header", "relay-mode", "client-compression",
            "rate-limit-messages-per-second", "rate-limit-bytes-per-second", "rate-limit-action"));
    /** Route keys followed by a header name: {@code route.<name>.set-header.<Header>}. */
    private static final Pattern HEADER_KEY = Pattern.compile("(set-header|add-header)\\.[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> PROXY_KEYS = Set.of("routes", "max-connections", "max-connections-per-client",
            "drain-timeout", "request-head-timeout", "detailed-errors", "message-client",
            "metrics", "jmx", "access-log", "authorization-timeout");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB)?");
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
        String maxConnections = trimmed(properties, "max-connections");
        if (maxConnections != null) {
            builder.maxConnections((int) size(maxConnections, "max-connections", where));
        }
        String perClient = trimmed(properties, "max-connections-per-client");
        if (perClient != null) {
            builder.maxConnectionsPerClient((int) size(perClient, "max-connections-per-client", where));
        }
        String drain = trimmed(properties, "drain-timeout");
        if (drain != null) {
            builder.drainTimeout(duration(drain, "drain-timeout", where));
        }
        String headTimeout = trimmed(properties, "request-head-timeout");
        if (headTimeout != null) {
            builder.requestHeadTimeout(duration(headTimeout, "request-head-timeout", where));
        }
        String detailed = trimmed(properties, "detailed-errors");
        if (detailed != null) {
            builder.detailedErrors(bool(detailed, "detailed-errors", where));
        }
        String messageClient = trimmed(properties, "message-client");
        if (messageClient != null) {
            builder.messageClient(messageClient);
        }
        observability(properties, builder, where);
        String authorizationTimeout = trimmed(properties, "authorization-timeout");
        if (authorizationTimeout != null) {
            builder.authorizationTimeout(duration(authorizationTimeout, "authorization-timeout", where));
        }
        return builder;
    }

    /** {@code metrics}, {@code jmx}, {@code access-log}. */
    private static void observability(Properties properties, WebSocketProxy.Builder builder, String where) {
        String metrics = trimmed(properties, "metrics");
        if (metrics != null) {
            builder.metrics(bool(metrics, "metrics", where));
        }
        String jmx = trimmed(properties, "jmx");
        if (jmx != null) {
            builder.jmx(bool(jmx, "jmx", where));
        }
        String accessLog = trimmed(properties, "access-log");
        if (accessLog != null) {
            try {
                builder.accessLog(accessLog);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": access-log must be keyvalue, json or off but was '"
                        + accessLog + "'");
            }
        }
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
            if (PROXY_KEYS.contains(key)) {
                continue;
            }
            Matcher m = ROUTE_KEY.matcher(key);
            if (!m.matches() || !(ROUTE_KEYS.contains(m.group(2)) || HEADER_KEY.matcher(m.group(2)).matches())) {
                throw new IllegalArgumentException(where + ": unknown key '" + key + "' (did you mean '"
                        + closestKey(key, names) + "'? known: "
                        + String.join(", ", new java.util.TreeSet<>(PROXY_KEYS)) + ", route.<name>."
                        + String.join(", route.<name>.", new java.util.TreeSet<>(ROUTE_KEYS))
                        + ", route.<name>.set-header.<Header>, route.<name>.add-header.<Header>)");
            }
            if (!names.contains(m.group(1))) {
                throw new IllegalArgumentException(where + ": '" + key + "' belongs to route '" + m.group(1)
                        + "' which is not listed in 'routes' (add it: routes = " + String.join(", ", names)
                        + (names.isEmpty() ? "" : ", ") + m.group(1) + ")");
            }
        }
    }

    /** The known key nearest to {@code key} by edit distance, with the route names in use filled in. */
    static String closestKey(String key, List<String> names) {
        List<String> candidates = new ArrayList<>(PROXY_KEYS);
        Matcher m = ROUTE_KEY.matcher(key);
        Set<String> routeNames = new LinkedHashSet<>(names);
        if (m.matches()) {
            routeNames.add(m.group(1));
        }
        for (String name : routeNames) {
            for (String routeKey : ROUTE_KEYS) {
                candidates.add("route." + name + "." + routeKey);
            }
        }
        String best = candidates.get(0);
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = editDistance(key, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Levenshtein distance, case-insensitive. */
    private static int editDistance(String a, String b) {
        String x = a.toLowerCase(Locale.ROOT);
        String y = b.toLowerCase(Locale.ROOT);
        int[] previous = new int[y.length() + 1];
        int[] current = new int[y.length() + 1];
        for (int j = 0; j <= y.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= x.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= y.length(); j++) {
                int substitute = previous[j - 1] + (x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[y.length()];
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
        if (upstream == null && value(properties, name, "upstreams") == null) {
            throw new IllegalArgumentException(where + ": route." + name + ".upstream is missing"
                    + " (e.g. route." + name + ".upstream = ws://backend:8080/, or for a pool route." + name
                    + ".upstreams = ws://backend-1:8080/, ws://backend-2:8080/)");
        }
        if (upstream != null) {
            route.upstream(upstream);
        }
        PoolProperties.apply(route, k -> value(properties, name, k), name, where);
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
        String key = "route." + name + ".";
        String mode = value(properties, name, "relay-mode");
        if (mode != null) {
            try {
                route.relayMode(ProxyRoute.RelayMode.valueOf(mode.toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + key + "relay-mode must be tunnel or message but was '"
                        + mode + "'", e);
            }
        }
        String ping = value(properties, name, "ping-interval");
        if (ping != null) {
            route.pingInterval(duration(ping, key + "ping-interval", where));
        }
        String idle = value(properties, name, "idle-timeout");
        if (idle != null) {
            route.idleTimeout(duration(idle, key + "idle-timeout", where));
        }
        String maxFrame = value(properties, name, "max-frame-size");
        if (maxFrame != null) {
            route.maxFrameSize((int) Math.min(Integer.MAX_VALUE, size(maxFrame, key + "max-frame-size", where)));
        }
        String maxMessage = value(properties, name, "max-message-size");
        if (maxMessage != null) {
            route.maxMessageSize(size(maxMessage, key + "max-message-size", where));
        }
        String maxConnections = value(properties, name, "max-connections");
        if (maxConnections != null) {
            route.maxConnections((int) size(maxConnections, key + "max-connections", where));
        }
        String trusted = value(properties, name, "trusted-proxies");
        if (trusted != null) {
            route.trustedProxies(list(trusted));
        }
        String forwarded = value(properties, name, "forwarded-header");
        if (forwarded != null) {
            route.forwardedHeader(bool(forwarded, key + "forwarded-header", where));
        }
        String compression = value(properties, name, "client-compression");
        if (compression != null) {
            route.clientCompression(bool(compression, key + "client-compression", where));
        }
        String origins = value(properties, name, "allowed-origins");
        if (origins != null) {
            route.allowedOrigins(list(origins));
        }
        String encodedSlash = value(properties, name, "allow-encoded-slash");
        if (encodedSlash != null) {
            route.allowEncodedSlash(bool(encodedSlash, key + "allow-encoded-slash", where));
        }
        String repeatedSlashes = value(properties, name, "keep-repeated-slashes");
        if (repeatedSlashes != null) {
            route.keepRepeatedSlashes(bool(repeatedSlashes, key + "keep-repeated-slashes", where));
        }
        String underscores = value(properties, name, "keep-underscore-headers");
        if (underscores != null) {
            route.keepUnderscoreHeaders(bool(underscores, key + "keep-underscore-headers", where));
        }
        String userHeader = value(properties, name, "user-header");
        if (userHeader != null) {
            route.userHeader(userHeader);
        }
        for (String property : new java.util.TreeSet<>(properties.stringPropertyNames())) {
            if (property.startsWith(key + "set-header.")) {
                route.setHeader(property.substring((key + "set-header.").length()), properties.getProperty(property).trim());
            } else if (property.startsWith(key + "add-header.")) {
                route.addHeader(property.substring((key + "add-header.").length()), properties.getProperty(property).trim());
            }
        }
        rateLimit(properties, name, route, where);
        String removed = value(properties, name, "remove-headers");
        if (removed != null) {
            for (String header : list(removed)) {
                route.removeHeader(header);
            }
        }
        try {
            return route.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": route '" + name + "': " + e.getMessage(), e);
        }
    }

    /** {@code rate-limit-messages-per-second}, {@code rate-limit-bytes-per-second}, {@code rate-limit-action}. */
    private static void rateLimit(Properties properties, String name, ProxyRoute.Builder route, String where) {
        String key = "route." + name + ".rate-limit-";
        String messages = value(properties, name, "rate-limit-messages-per-second");
        String bytes = value(properties, name, "rate-limit-bytes-per-second");
        String action = value(properties, name, "rate-limit-action");
        if (messages == null && bytes == null && action == null) {
            return;
        }
        RateLimit.Builder limit = RateLimit.builder();
        if (messages != null) {
            try {
                limit.messagesPerSecond(Double.parseDouble(messages));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": " + key + "messages-per-second must be a number but"
                        + " was '" + messages + "' (use e.g. 50 or 0.5)", e);
            }
        }
        if (bytes != null) {
            limit.bytesPerSecond(size(bytes, key + "bytes-per-second", where));
        }
        if (action != null) {
            String normalized = action.toUpperCase(Locale.ROOT).replace('-', '_');
            if (!normalized.equals("SLOW_DOWN") && !normalized.equals("CLOSE")) {
                throw new IllegalArgumentException(where + ": " + key + "action must be slow-down or close but was '"
                        + action + "'");
            }
            limit.action(RateLimit.Action.valueOf(normalized));
        }
        try {
            route.rateLimit(limit.build());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": route '" + name + "': " + e.getMessage(), e);
        }
    }

    private static String trimmed(Properties properties, String key) {
        String value = properties.getProperty(key);
        return value == null ? null : value.trim();
    }

    private static String[] list(String text) {
        return java.util.Arrays.stream(text.split(",")).map(String::trim).filter(v -> !v.isEmpty())
                .toArray(String[]::new);
    }

    /** Parses {@code 1048576}, {@code 64KiB}, {@code 16MiB}. */
    static long size(String text, String key, String where) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(where + ": " + key + " must be a number, optionally with KiB or MiB,"
                    + " but was '" + text + "' (use e.g. 16MiB)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        return unit.equals("MiB") ? n << 20 : unit.equals("KiB") ? n << 10 : n;
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
