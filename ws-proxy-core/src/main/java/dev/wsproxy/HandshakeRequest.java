package dev.wsproxy;

import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A container-neutral view of one HTTP request that may be a WebSocket handshake, built by an adapter
 * (servlet filter, Jetty handler) and handed to {@link WebSocketProxy#handshake(HandshakeRequest)}.
 *
 * <p>Header names are looked up case-insensitively; each name maps to the list of its field lines in
 * arrival order. The {@link #path()} is the raw (still percent-encoded) path <em>inside</em> the
 * application's context, the {@link #query()} the raw query string without {@code ?}, or {@code null}.
 *
 * <p>Immutable and thread-safe once built.
 */
public final class HandshakeRequest {

    private final String method;
    private final String protocol;
    private final boolean tunnelCapable;
    private final String scheme;
    private final String host;
    private final int port;
    private final String contextPath;
    private final String path;
    private final String query;
    private final Map<String, List<String>> headers;
    private final String remoteAddress;
    private final int remotePort;
    private final String user;
    private final Principal principal;
    private final Map<String, Object> sessionAttributes;

    private HandshakeRequest(Builder b) {
        this.method = Objects.requireNonNull(b.method, "method");
        this.protocol = Objects.requireNonNull(b.protocol, "protocol");
        this.tunnelCapable = b.tunnelCapable;
        this.scheme = Objects.requireNonNull(b.scheme, "scheme");
        this.host = b.host;
        this.port = b.port;
        this.contextPath = b.contextPath == null ? "" : b.contextPath;
        this.path = Objects.requireNonNull(b.path, "path");
        this.query = b.query;
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        b.headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        this.headers = Collections.unmodifiableMap(copy);
        this.remoteAddress = b.remoteAddress == null ? "" : b.remoteAddress;
        this.remotePort = b.remotePort;
        this.user = b.user == null || b.user.isEmpty() ? null : b.user;
        this.principal = b.principal;
        this.sessionAttributes = b.sessionAttributes.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(b.sessionAttributes));
    }

    /** Starts a request; {@code method}, {@code protocol}, {@code scheme} and {@code path} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The HTTP method, e.g. {@code GET}. */
    public String method() {
        return method;
    }

    /** The protocol of the request line, e.g. {@code HTTP/1.1}, {@code HTTP/2.0}. */
    /**
     * Whether the adapter can take over this connection for tunnel mode; default {@code true}. An adapter on a
     * container without {@code HttpServletRequest.upgrade} (Jetty 12.0) says {@code false}, and the proxy then
     * relays in message mode.
     */
    public boolean tunnelCapable() {
        return tunnelCapable;
    }

    public String protocol() {
        return protocol;
    }

    /** {@code http} or {@code https}, as the client used it to reach this server. */
    public String scheme() {
        return scheme;
    }

    /** The host the client addressed (no port), or {@code null} if unknown. */
    public String host() {
        return host;
    }

    /** The port the client addressed. */
    public int port() {
        return port;
    }

    /** The application's context path ({@code ""} for the root context). */
    public String contextPath() {
        return contextPath;
    }

    /** The raw path inside the context, starting with {@code /}, percent-encoding untouched. */
    public String path() {
        return path;
    }

    /** The raw query string without {@code ?}, or {@code null}. */
    public String query() {
        return query;
    }

    /** All headers; names are case-insensitive keys. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The field lines of one header, empty if absent. */
    public List<String> headers(String name) {
        return headers.getOrDefault(name, List.of());
    }

    /** The first field line of a header, or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The client's IP address as seen by this server (the TCP peer), or {@code ""}. */
    public String remoteAddress() {
        return remoteAddress;
    }

    /** The client's TCP port. */
    public int remotePort() {
        return remotePort;
    }

    /**
     * The name of the user the application authenticated for this request (the servlet adapter reads
     * {@code HttpServletRequest.getRemoteUser()}), or {@code null} when anonymous. Never taken from a header.
     */
    public String user() {
        return user;
    }

    /**
     * The authenticated principal ({@code HttpServletRequest.getUserPrincipal()} in the servlet adapter, which
     * Spring Security, Jetty and Tomcat set), or {@code null} when anonymous. For a {@link HandshakeAuthorizer}.
     */
    public Principal principal() {
        return principal;
    }

    /**
     * A snapshot of the HTTP session's attributes taken when the request was read, or an empty map when there is
     * no session (the servlet adapter never creates one) or the adapter has no sessions. The servlet adapter takes
     * it for WebSocket handshakes only; a Jetty context needs a {@code SessionHandler} (the
     * {@code ServletContextHandler.SESSIONS} option) for sessions to exist. The values are the session's own
     * objects, not copies. Unmodifiable.
     */
    public Map<String, Object> sessionAttributes() {
        return sessionAttributes;
    }

    @Override
    public String toString() {
        return method + " " + contextPath + path + (query == null ? "" : "?" + query) + " " + protocol;
    }

    /** Collects the parts of a {@link HandshakeRequest}. Not thread-safe. */
    public static final class Builder {
        private String method;
        private String protocol = "HTTP/1.1";
        private boolean tunnelCapable = true;
        private String scheme = "http";
        private String host;
        private int port = -1;
        private String contextPath = "";
        private String path;
        private String query;
        private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        private String remoteAddress;
        private int remotePort;
        private String user;
        private Principal principal;
        private final Map<String, Object> sessionAttributes = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder method(String method) {
            this.method = method;
            return this;
        }

        /** See {@link HandshakeRequest#tunnelCapable()}. */
        public Builder tunnelCapable(boolean tunnelCapable) {
            this.tunnelCapable = tunnelCapable;
            return this;
        }

        public Builder protocol(String protocol) {
            this.protocol = protocol;
            return this;
        }

        public Builder scheme(String scheme) {
            this.scheme = scheme == null ? "http" : scheme.toLowerCase(Locale.ROOT);
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder contextPath(String contextPath) {
            this.contextPath = contextPath;
            return this;
        }

        public Builder path(String path) {
            this.path = path;
            return this;
        }

        public Builder query(String query) {
            this.query = query;
            return this;
        }

        /** Adds one field line; repeated names keep their order. */
        public Builder addHeader(String name, String value) {
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            return this;
        }

        public Builder remoteAddress(String remoteAddress) {
            this.remoteAddress = remoteAddress;
            return this;
        }

        public Builder remotePort(int remotePort) {
            this.remotePort = remotePort;
            return this;
        }

        /** The authenticated user's name, or {@code null} when anonymous. */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** The authenticated principal, or {@code null} when anonymous. */
        public Builder principal(Principal principal) {
            this.principal = principal;
            return this;
        }

        /** Adds one session attribute to the snapshot (null values are skipped). */
        public Builder sessionAttribute(String name, Object value) {
            if (name != null && value != null) {
                sessionAttributes.put(name, value);
            }
            return this;
        }

        public HandshakeRequest build() {
            return new HandshakeRequest(this);
        }
    }
}
