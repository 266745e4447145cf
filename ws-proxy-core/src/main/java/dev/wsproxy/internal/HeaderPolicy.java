package dev.wsproxy.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One route's header settings: trusted proxies, the RFC 7239 {@code Forwarded} switch, the header edits
 * (add/set/remove, applied in the order configured, after the proxy's own headers), the allowed
 * {@code Origin}s, whether names with {@code _} are kept, and the header carrying the authenticated user.
 * Built and validated through {@code ProxyRoute.Builder}; immutable and thread-safe.
 */
public final class HeaderPolicy {

    /** Headers the proxy computes itself for the WebSocket handshake; edits may not touch them. */
    private static final Set<String> MANAGED = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    static {
        MANAGED.addAll(List.of("Sec-WebSocket-Key", "Sec-WebSocket-Accept", "Sec-WebSocket-Version",
                "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol", "Upgrade", "Connection", "Content-Length",
                "Transfer-Encoding"));
    }

    private enum Op { ADD, SET, REMOVE }

    private static final class Edit {
        final Op op;
        final String name;
        final String value;

        Edit(Op op, String name, String value) {
            this.op = op;
            this.name = name;
            this.value = value;
        }
    }

    private final List<String> trustedProxies;
    private final AddressSet trusted;
    private final boolean forwarded;
    private final List<Edit> edits;
    private final List<String> allowedOrigins;
    private final Set<String> normalizedOrigins;
    private final boolean keepUnderscores;
    private final String userHeader;

    private HeaderPolicy(Builder b, AddressSet trusted, Set<String> normalizedOrigins) {
        this.trustedProxies = List.copyOf(b.trustedProxies);
        this.trusted = trusted;
        this.forwarded = b.forwarded;
        this.edits = List.copyOf(b.edits);
        this.allowedOrigins = List.copyOf(b.allowedOrigins);
        this.normalizedOrigins = normalizedOrigins;
        this.keepUnderscores = b.keepUnderscores;
        this.userHeader = b.userHeader;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.trustedProxies.addAll(trustedProxies);
        b.forwarded = forwarded;
        b.edits.addAll(edits);
        b.allowedOrigins.addAll(allowedOrigins);
        b.keepUnderscores = keepUnderscores;
        b.userHeader = userHeader;
        return b;
    }

    /** Whether client header names containing {@code _} are forwarded (default: dropped). */
    public boolean keepUnderscores() {
        return keepUnderscores;
    }

    /** The header that carries the authenticated user's name upstream, or {@code null}. */
    public String userHeader() {
        return userHeader;
    }

    public List<String> trustedProxies() {
        return trustedProxies;
    }

    /** Whether the TCP peer is a trusted proxy whose forwarding headers are kept and appended to. */
    public boolean isTrusted(String peerAddress) {
        return trusted.contains(peerAddress);
    }

    public boolean forwarded() {
        return forwarded;
    }

    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    /**
     * Whether a request with this {@code Origin} may use the route: always when no origins are configured
     * or the request has none (browsers always send one; other clients usually do not).
     */
    public boolean originAllowed(String origin) {
        if (normalizedOrigins.isEmpty() || origin == null) {
            return true;
        }
        String normalized = normalizeOrigin(origin.trim());
        return normalized != null && normalizedOrigins.contains(normalized);
    }

    /** Applies the add/set/remove edits, in the order configured, to the upstream headers. */
    public void apply(Map<String, String> headers) {
        for (Edit edit : edits) {
            String existing = null;
            for (Map.Entry<String, String> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(edit.name)) {
                    existing = e.getValue();
                }
            }
            if (edit.op == Op.ADD && existing != null) {
                String separator = edit.name.equalsIgnoreCase("Cookie") ? "; " : ", ";
                headers.keySet().removeIf(name -> name.equalsIgnoreCase(edit.name));
                headers.put(edit.name, existing + separator + edit.value);
                continue;
            }
            headers.keySet().removeIf(name -> name.equalsIgnoreCase(edit.name));
            if (edit.op != Op.REMOVE) {
                headers.put(edit.name, edit.value);
            }
        }
    }

    /** {@code scheme://host[:port]} lower-cased, default ports dropped; {@code null} if not an origin. */
    static String normalizeOrigin(String origin) {
        try {
            URI uri = new URI(origin);
            String path = uri.getRawPath();
            if (uri.getScheme() == null || uri.getHost() == null || uri.getRawQuery() != null
                    || uri.getRawFragment() != null || uri.getRawUserInfo() != null
                    || (path != null && !path.isEmpty() && !path.equals("/"))) {
                return null;
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort();
            boolean defaultPort = port == -1 || (port == 80 && (scheme.equals("http") || scheme.equals("ws")))
                    || (port == 443 && (scheme.equals("https") || scheme.equals("wss")));
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** Collects the settings; {@link #build} validates them. Not thread-safe. */
    public static final class Builder {
        private final List<String> trustedProxies = new ArrayList<>();
        private boolean forwarded;
        private final List<Edit> edits = new ArrayList<>();
        private final List<String> allowedOrigins = new ArrayList<>();
        private boolean keepUnderscores;
        private String userHeader;

        private Builder() {
        }

        public void keepUnderscores(boolean keep) {
            this.keepUnderscores = keep;
        }

        public void userHeader(String name) {
            this.userHeader = name;
        }

        public void trustedProxies(List<String> addresses) {
            trustedProxies.clear();
            trustedProxies.addAll(addresses);
        }

        public void forwarded(boolean forwarded) {
            this.forwarded = forwarded;
        }

        public void add(String name, String value) {
            edits.add(new Edit(Op.ADD, name, value));
        }

        public void set(String name, String value) {
            edits.add(new Edit(Op.SET, name, value));
        }

        public void remove(String name) {
            edits.add(new Edit(Op.REMOVE, name, null));
        }

        public void allowedOrigins(List<String> origins) {
            allowedOrigins.clear();
            allowedOrigins.addAll(origins);
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the setting, showing the value and the fix
         */
        public HeaderPolicy build() {
            AddressSet trusted = AddressSet.parse(trustedProxies);
            for (Edit edit : edits) {
                String method = edit.op.name().toLowerCase(Locale.ROOT) + "Header";
                if (edit.name == null || !isToken(edit.name)) {
                    throw new IllegalArgumentException(method + " name '" + HandshakeValidator.printable(
                            String.valueOf(edit.name)) + "' is not a valid header name (use letters, digits and"
                            + " '-', e.g. \"X-Env\")");
                }
                if (MANAGED.contains(edit.name)) {
                    throw new IllegalArgumentException(method + " name '" + edit.name + "' is a WebSocket"
                            + " handshake header the proxy computes itself (remove this " + method + " call)");
                }
                if (edit.op == Op.ADD && edit.name.equalsIgnoreCase("Host")) {
                    throw new IllegalArgumentException("addHeader name 'Host' would send two hosts (use"
                            + " setHeader(\"Host\", ...) or preserveHost(false))");
                }
                if (edit.op != Op.REMOVE && (edit.value == null || !isSafeValue(edit.value))) {
                    throw new IllegalArgumentException(method + " value for '" + edit.name + "' must be one line"
                            + " of visible text but was '" + HandshakeValidator.printable(String.valueOf(edit.value))
                            + "' (remove CR, LF and other control characters)");
                }
            }
            if (userHeader != null && (!isToken(userHeader) || MANAGED.contains(userHeader)
                    || userHeader.equalsIgnoreCase("Host") || userHeader.equalsIgnoreCase("Origin"))) {
                throw new IllegalArgumentException("userHeader name '" + HandshakeValidator.printable(userHeader)
                        + "' is not a header the proxy may set (use letters, digits and '-', e.g."
                        + " \"X-Forwarded-User\")");
            }
            Set<String> normalized = new LinkedHashSet<>();
            for (String origin : allowedOrigins) {
                String n = origin == null ? null : normalizeOrigin(origin.trim());
                if (n == null) {
                    throw new IllegalArgumentException("allowedOrigins entry '" + HandshakeValidator.printable(
                            String.valueOf(origin)) + "' is not an origin (use scheme://host[:port] with no path,"
                            + " e.g. \"https://app.example.com\")");
                }
                normalized.add(n);
            }
            return new HeaderPolicy(this, trusted, Set.copyOf(normalized));
        }
    }

    /** RFC 9110 token: the characters allowed in a header name. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** A configured value: no control characters except horizontal tab. */
    private static boolean isSafeValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
