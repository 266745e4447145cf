package dev.wsproxy.internal.pool;

import dev.wsproxy.Balance;
import dev.wsproxy.PoolSettings;
import dev.wsproxy.Upstream;
import dev.wsproxy.internal.UpstreamUris;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A route's validated upstream pool configuration: the members (a single {@code upstream(...)} is a pool of
 * one), the balance and the pool settings. Built by {@code ProxyRoute.Builder.build()}, which keeps only the
 * first member's URI for path rewriting: all members share the path, and a connection swaps in its member's
 * scheme and authority. Immutable.
 */
public final class PoolSpec {

    private final List<Upstream> members;
    private final List<URI> uris;
    private final Balance balance;
    private final PoolSettings settings;
    private final Pattern regex;
    private final boolean single;

    private PoolSpec(List<Upstream> members, List<URI> uris, Balance balance, PoolSettings settings, Pattern regex,
                     boolean single) {
        this.members = members;
        this.uris = uris;
        this.balance = balance;
        this.settings = settings;
        this.regex = regex;
        this.single = single;
    }

    /**
     * Validates a route's upstream settings.
     *
     * @param route the route's path, for messages
     * @param upstream the single upstream given with {@code upstream(...)}, or {@code null}
     * @param upstreams the members given with {@code upstreams(...)}, or {@code null}
     * @param regex the route's regex (regex routes), else {@code null}
     * @throws IllegalArgumentException naming the bad field, its value and the fix
     */
    public static PoolSpec of(String route, String upstream, List<Upstream> upstreams, Balance balance,
                              PoolSettings settings, Pattern regex) {
        if (upstream != null && upstreams != null) {
            throw new IllegalArgumentException("route " + route + " has both upstream(\"" + upstream + "\") and"
                    + " upstreams(...) (use one: upstream for one backend, upstreams for a pool)");
        }
        if (upstream == null && upstreams == null) {
            throw new IllegalArgumentException("route " + route + " has no upstream"
                    + " (call .upstream(\"ws://host:port/\") or .upstreams(Upstream.of(\"ws://host:port/\"), ...))");
        }
        List<Upstream> members = upstream != null ? List.of(Upstream.of(upstream)) : List.copyOf(upstreams);
        if (members.isEmpty()) {
            throw new IllegalArgumentException("route " + route + " has no members in upstreams()"
                    + " (give at least one: .upstreams(Upstream.of(\"ws://host:port/\")))");
        }
        List<URI> uris = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        boolean primary = false;
        for (Upstream member : members) {
            URI uri = UpstreamUris.parse(member.uri());
            if (member.weight() < 1) {
                throw new IllegalArgumentException("upstream '" + member.uri() + "' of route " + route + " has weight "
                        + member.weight() + " but weight must be at least 1 (remove the member, or drain it at"
                        + " runtime with proxy.pool(\"" + route + "\").drain(...))");
            }
            if (member.maxConnections() < 0) {
                throw new IllegalArgumentException("upstream '" + member.uri() + "' of route " + route
                        + " has maxConnections " + member.maxConnections() + " (use 0 for unlimited, or a positive limit)");
            }
            String key = base(uri) + path(uri);
            if (seen.put(key, member.uri()) != null) {
                throw new IllegalArgumentException("upstream '" + member.uri() + "' is listed twice in route " + route
                        + " (remove one; to send it more connections give it a weight)");
            }
            if (!path(uri).equals(path(uris.isEmpty() ? uri : uris.get(0)))) {
                throw new IllegalArgumentException("upstreams of route " + route + " must share one path, but '"
                        + members.get(0).uri() + "' has '" + path(uris.get(0)) + "' and '" + member.uri() + "' has '"
                        + path(uri) + "' (give every member the same path; only scheme, host and port may differ)");
            }
            uris.add(uri);
            primary |= !member.isBackup();
            if (member.expandsAddresses()) {
                checkExpansion(route, member, uri, settings);
            }
        }
        if (!primary) {
            throw new IllegalArgumentException("route " + route + " has only backup upstreams (make at least one"
                    + " a primary: drop .backup() from it)");
        }
        Balance chosen = balance == null ? Balance.leastConnections() : balance;
        checkKey(route, chosen, regex);
        return new PoolSpec(members, List.copyOf(uris), chosen, settings == null ? PoolSettings.defaults() : settings,
                regex, upstream != null);
    }

    private static void checkExpansion(String route, Upstream member, URI uri, PoolSettings settings) {
        String host = uri.getHost();
        if (host.startsWith("[") || Dns.isLiteral(host)) {
            throw new IllegalArgumentException("upstream '" + member.uri() + "' of route " + route + " has"
                    + " expandAddresses() but its host " + host + " is an IP address, which has no other addresses"
                    + " (drop .expandAddresses(), or give the host name that resolves to the addresses)");
        }
        boolean secure = uri.getScheme().equalsIgnoreCase("wss");
        if (secure && settings != null && settings.healthCheck() != null && settings.healthCheck().httpPath() != null) {
            throw new IllegalArgumentException("upstream '" + member.uri() + "' of route " + route + " has"
                    + " expandAddresses() and the pool checks health with an HTTPS GET of '"
                    + settings.healthCheck().httpPath() + "', which cannot reach one chosen address while verifying"
                    + " the name (use HealthCheck.webSocket(...), or drop .expandAddresses())");
        }
    }

    /**
     * Refuses {@code wss://} expanded members on a message-mode route: its WebSocket clients connect to a
     * {@code wss://} name through the JVM's resolver, not to the member's address.
     */
    public void checkRelayMode(String route, boolean messageMode) {
        if (!messageMode) {
            return;
        }
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).expandsAddresses() && uris.get(i).getScheme().equalsIgnoreCase("wss")) {
                throw new IllegalArgumentException("upstream '" + members.get(i).uri() + "' of route " + route
                        + " has expandAddresses() but the route relays in MESSAGE mode, whose clients connect to a"
                        + " wss:// name through the JVM's resolver, not to one chosen address (use"
                        + " relayMode(RelayMode.TUNNEL), or drop .expandAddresses())");
            }
        }
    }

    private static void checkKey(String route, Balance balance, Pattern regex) {
        String key = balance.key();
        switch (balance.kind()) {
            case HASH_HEADER, HASH_COOKIE, HASH_QUERY_PARAMETER -> {
                if (key.isEmpty() || key.chars().anyMatch(c -> c <= ' ' || c == ';' || c == '=' || c == ',')) {
                    throw new IllegalArgumentException("balance " + balance + " of route " + route + " has an empty or"
                            + " invalid name '" + key + "' (e.g. Balance.hashCookie(\"sid\"))");
                }
            }
            case HASH_PATH_CAPTURE -> {
                int group = Integer.parseInt(key);
                if (regex == null) {
                    throw new IllegalArgumentException("balance " + balance + " of route " + route + " needs a regex"
                            + " route with capture groups (use ProxyRoute.regex(...), or hash on a header, cookie"
                            + " or query parameter)");
                }
                if (group < 1 || group > regex.matcher("").groupCount()) {
                    throw new IllegalArgumentException("balance " + balance + " of route " + route + " names capture"
                            + " group " + group + " but the regex has " + regex.matcher("").groupCount()
                            + " (use a group from 1 to " + regex.matcher("").groupCount() + ")");
                }
            }
            default -> {
            }
        }
    }

    /** {@code scheme://authority} with the scheme in lower case. */
    static String base(URI uri) {
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority();
    }

    private static String path(URI uri) {
        return uri.getRawPath() == null ? "" : uri.getRawPath();
    }

    /** The first member's URI: the one path rewriting uses. */
    public URI first() {
        return uris.get(0);
    }

    /** The members as configured; for a single {@code upstream(...)} route, one. */
    public List<Upstream> members() {
        return members;
    }

    List<URI> uris() {
        return uris;
    }

    /** Whether the route was given one {@code upstream(...)} rather than {@code upstreams(...)}. */
    public boolean single() {
        return single;
    }

    public Balance balance() {
        return balance;
    }

    public PoolSettings settings() {
        return settings;
    }

    Pattern regex() {
        return regex;
    }
}
