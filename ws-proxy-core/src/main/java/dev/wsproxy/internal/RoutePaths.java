package dev.wsproxy.internal;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.LoggerFactory;

/**
 * A route's path rewriting, nginx {@code proxy_pass} style: which request paths it matches and the upstream
 * path and query for each, without the scheme and authority (an upstream pool adds those per member).
 *
 * <p>Immutable and thread-safe.
 */
public final class RoutePaths {
    private final boolean prefix;
    private final String path;
    private final Pattern regex;
    private final String upstreamPath;

    /**
     * @param prefix whether the route is a prefix route ({@code false} with a {@code null} regex: exact)
     * @param path the route's path, prefix or regex source
     * @param regex the compiled regex of a regex route, else {@code null}
     * @param upstreamPath the upstream URI's raw path, {@code ""} when it has none (the request path is kept)
     */
    public RoutePaths(boolean prefix, String path, Pattern regex, String upstreamPath) {
        this.prefix = prefix;
        this.path = path;
        this.regex = regex;
        this.upstreamPath = upstreamPath;
    }

    /**
     * Checks a route's path for {@code ProxyRoute.Builder.build()} and compiles a regex route's pattern.
     *
     * @return the compiled regex of a regex route, else {@code null}
     * @throws IllegalArgumentException naming the value and the fix
     */
    public static Pattern compile(boolean regex, boolean prefix, String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("route path must not be empty (use \"/\" to proxy everything)");
        }
        if (regex) {
            try {
                return Pattern.compile(path);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("route regex '" + path + "' does not compile: "
                        + e.getDescription() + " near index " + e.getIndex(), e);
            }
        }
        if (path.charAt(0) != '/') {
            throw new IllegalArgumentException("route " + (prefix ? "prefix" : "exact").toLowerCase(Locale.ROOT)
                    + " must start with '/' but was '" + path + "' (use '/" + path + "')");
        }
        if (prefix && !path.endsWith("/")) {
            LoggerFactory.getLogger("dev.wsproxy.ProxyRoute").warn("route prefix(\"{}\") has no trailing slash: it"
                    + " takes '{}' and '{}/...' but not '{}foo' (unlike nginx's plain string prefix), and joins"
                    + " the upstream path with one slash; write prefix(\"{}/\") to proxy the paths under it",
                    path, path, path, path, path);
        }
        return null;
    }

    /**
     * The upstream path and query for a raw request path, or {@code null} when the route does not match.
     *
     * @param rawPath raw (normalised) path inside the context, starting with {@code /}
     * @param rawQuery raw query without {@code ?}, or {@code null}
     */
    public String rewrite(String rawPath, String rawQuery) {
        String target;
        if (regex != null) {
            Matcher m = regex.matcher(rawPath);
            if (!m.matches()) {
                return null;
            }
            target = upstreamPath.isEmpty() ? rawPath : fill(upstreamPath, m);
        } else if (!prefix) {
            if (!rawPath.equals(path)) {
                return null;
            }
            target = upstreamPath.isEmpty() ? rawPath : upstreamPath;
        } else {
            if (!rawPath.startsWith(path)) {
                return null;
            }
            String rest = rawPath.substring(path.length());
            if (!path.endsWith("/")) {
                // without a trailing slash the prefix ends at a segment boundary: '/ws' takes '/ws' and
                // '/ws/...', never '/wsfoo'; and the upstream path is joined with exactly one slash
                if (!rest.isEmpty() && rest.charAt(0) != '/') {
                    return null;
                }
                if (upstreamPath.endsWith("/") && !rest.isEmpty()) {
                    rest = rest.substring(1);
                }
            }
            target = upstreamPath.isEmpty() ? rawPath : upstreamPath + rest;
        }
        if (target.isEmpty() || target.charAt(0) != '/') {
            target = "/" + target;
        }
        // The authority is fixed text from the configuration; whatever a capture holds stays in the path.
        return withQuery(target, rawQuery);
    }

    /**
     * For a prefix ending in {@code /}, the upstream path and query for the path that is the prefix without
     * that slash ({@code /ws/admin} for {@code prefix("/ws/admin/")}), else {@code null}. Servlet mappings
     * such as {@code /admin/*} also serve {@code /admin}, so that path must get this route's policy, not a
     * shorter route's (nginx answers it with a redirect to the slashed path, which WebSocket clients do not
     * follow).
     */
    public String rewriteBare(String requestPath, String rawQuery) {
        if (!prefix || path.length() < 2 || !path.endsWith("/")
                || !requestPath.equals(path.substring(0, path.length() - 1))) {
            return null;
        }
        String target = upstreamPath.isEmpty() ? requestPath
                : upstreamPath.endsWith("/") ? upstreamPath.substring(0, upstreamPath.length() - 1) : upstreamPath;
        if (target.isEmpty()) {
            target = "/";
        }
        return withQuery(target, rawQuery);
    }

    /** The part of the request path that a prefix route strips (for {@code X-Forwarded-Prefix}), or null. */
    public String strippedPrefix() {
        if (prefix && !upstreamPath.isEmpty()) {
            String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            return p.isEmpty() ? null : p;
        }
        return null;
    }

    private static String withQuery(String target, String rawQuery) {
        return PathRules.escapeIllegal(target, false)
                + (rawQuery == null ? "" : "?" + PathRules.escapeIllegal(rawQuery, true));
    }

    private static String fill(String template, Matcher m) {
        StringBuilder out = new StringBuilder(template.length() + 32);
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '$' && i + 1 < template.length() && Character.isDigit(template.charAt(i + 1))) {
                int group = template.charAt(++i) - '0';
                if (group <= m.groupCount() && m.group(group) != null) {
                    out.append(m.group(group));
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
