package dev.wsproxy.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Validates a route's upstream URI for {@code ProxyRoute.Builder.build()}. Stateless. */
public final class UpstreamUris {

    private UpstreamUris() {
    }

    /**
     * Parses {@code upstream}: {@code ws://} or {@code wss://}, a host, no user info, query or fragment, no
     * {@code $} in the authority.
     *
     * @throws IllegalArgumentException naming the value and the fix
     */
    public static URI parse(String upstream) {
        URI uri;
        try {
            uri = new URI(upstream);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("upstream '" + upstream + "' is not a valid URI: "
                    + e.getReason() + " (expected ws://host:port/path)", e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            String fix = scheme.equals("https") ? "wss" : "ws";
            String rest = uri.getScheme() == null ? "//" + upstream : upstream.substring(upstream.indexOf(':') + 1);
            throw new IllegalArgumentException("upstream must be ws:// or wss:// but was '" + upstream
                    + "' (use " + fix + ":" + rest + ")");
        }
        if (uri.getRawAuthority() != null && uri.getRawAuthority().contains("$")) {
            throw new IllegalArgumentException("upstream '" + upstream + "' has '$' in its host or port"
                    + " (capture groups fill only the path: the upstream host comes from configuration)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("upstream '" + upstream + "' has no host"
                    + " (expected " + scheme + "://host:port/path)");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("upstream '" + upstream + "' must not carry user info"
                    + " (send credentials as headers instead)");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("upstream '" + upstream + "' must not have a query or fragment"
                    + " (the client's query string is forwarded as is)");
        }
        return uri;
    }
}
