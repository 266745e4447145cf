package dev.wsproxy.internal;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Checks and escapes raw (percent-encoded) request paths and queries. Stateless.
 *
 * <p>Request paths are normalised by {@link PathNormalizer} before routing; these rules check the rewritten
 * upstream path (a regex template can assemble {@code ..} from harmless captures) and the query, and
 * percent-encode characters RFC 3986 does not allow raw so that the upstream request line stays valid.
 */
public final class PathRules {

    private static final String HEX = "0123456789ABCDEF";

    private PathRules() {
    }

    /**
     * Why a raw path must be refused with 400, or {@code null} when it may be forwarded.
     *
     * <p>A segment is {@code ..} after decoding only {@code %2e} (either case), where segments are split
     * at {@code /}, {@code \} and their encoded forms {@code %2f} and {@code %5c} (upstreams differ in which
     * of those they treat as separators), and {@code ;parameters} are ignored (Tomcat reads {@code ..;} as
     * {@code ..}).
     */
    public static String problem(String rawPath) {
        String badEscape = badPercentEncoding(rawPath);
        if (badEscape != null) {
            return "the path has invalid percent-encoding '" + HandshakeValidator.printable(badEscape)
                    + "' (encode '%' itself as %25)";
        }
        String lower = rawPath.toLowerCase(Locale.ROOT);
        String dotted = lower.replace("%2e", ".");
        String separated = dotted.replace("%2f", "/").replace("%5c", "/").replace('\\', '/');
        for (String segment : separated.split("/", -1)) {
            int params = segment.indexOf(';');
            if ((params < 0 ? segment : segment.substring(0, params)).equals("..")) {
                return "the path contains a '..' segment"
                        + (lower.equals(separated) ? "" : " (percent-encoded)")
                        + ", which could leave the upstream's base path (send the path without '..')";
            }
        }
        return null;
    }

    /** The first {@code %} not followed by two hex digits, with what follows it, or {@code null}. */
    public static String badPercentEncoding(String raw) {
        for (int i = raw.indexOf('%'); i >= 0; i = raw.indexOf('%', i + 1)) {
            if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
                    || Character.digit(raw.charAt(i + 2), 16) < 0) {
                return raw.substring(i, Math.min(raw.length(), i + 3));
            }
        }
        return null;
    }

    /**
     * Percent-encodes (as UTF-8) every character RFC 3986 does not allow raw in a path, or in a query when
     * {@code query} is true; existing escapes are kept as they are.
     */
    public static String escapeIllegal(String raw, boolean query) {
        StringBuilder out = null;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (isAllowed(c, query)) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(raw.length() + 16).append(raw, 0, i);
            }
            int end = Character.isHighSurrogate(c) && i + 1 < raw.length() ? i + 2 : i + 1;
            for (byte b : raw.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(HEX.charAt((b >> 4) & 0xf)).append(HEX.charAt(b & 0xf));
            }
            i = end - 1;
        }
        return out == null ? raw : out.toString();
    }

    private static boolean isAllowed(char c, boolean query) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        // unreserved, sub-delims, ':' '@' '/', and '%' of an existing escape; a query also allows '?'
        return "-._~!$&'()*+,;=:@/%".indexOf(c) >= 0 || (query && c == '?');
    }
}
