package dev.wsproxy;

import dev.wsproxy.internal.HeaderTokens;
import dev.wsproxy.internal.UpstreamUris;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link HandshakeAuthorizer} decided: {@link #allow()} (optionally {@linkplain #withUpstreamHeader with
 * upstream headers} and {@linkplain #withUpstream a chosen upstream}), or a refusal ({@link #refuse},
 * {@link #unauthorized}, {@link #forbidden}) with its status, reason and {@linkplain #withResponseHeader response
 * headers}.
 *
 * <p>Immutable and thread-safe; every {@code with...} method returns a new decision. Header names and values are
 * checked when added: a CR or LF, or a header the WebSocket handshake itself owns ({@code Connection},
 * {@code Upgrade}, {@code Sec-WebSocket-*}, {@code Content-Length}, {@code Transfer-Encoding}) throws
 * {@link IllegalArgumentException}, which (thrown inside an authorizer) refuses the handshake with 403.
 */
public final class HandshakeDecision {

    private static final Set<String> RESERVED = Set.of("connection", "upgrade", "sec-websocket-key",
            "sec-websocket-version", "sec-websocket-accept", "sec-websocket-extensions", "sec-websocket-protocol",
            "content-length", "transfer-encoding", "keep-alive", "te", "trailer");

    private static final HandshakeDecision ALLOW = new HandshakeDecision(0, "", Map.of(), Map.of(), null);

    private final int status;
    private final String reason;
    private final Map<String, String> upstreamHeaders;
    private final Map<String, String> responseHeaders;
    private final URI upstream;

    private HandshakeDecision(int status, String reason, Map<String, String> upstreamHeaders,
                              Map<String, String> responseHeaders, URI upstream) {
        this.status = status;
        this.reason = reason;
        this.upstreamHeaders = upstreamHeaders;
        this.responseHeaders = responseHeaders;
        this.upstream = upstream;
    }

    /** Lets the handshake go on to the route's upstream. */
    public static HandshakeDecision allow() {
        return ALLOW;
    }

    /**
     * Refuses the handshake with {@code status} (400 to 599) and a one-line {@code reason}, which the client
     * receives as the {@code text/plain} body and the proxy logs at WARN.
     */
    public static HandshakeDecision refuse(int status, String reason) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a refusal's status must be 400..599 but was " + status
                    + " (401 asks for credentials, 403 forbids)");
        }
        return new HandshakeDecision(status, safe("reason", Objects.requireNonNull(reason, "reason")), Map.of(),
                Map.of(), null);
    }

    /** 401 with {@code WWW-Authenticate: challenge} (e.g. {@code Bearer realm="chat"}). */
    public static HandshakeDecision unauthorized(String challenge, String reason) {
        return refuse(401, reason).withResponseHeader("WWW-Authenticate", challenge);
    }

    /** 403 with {@code reason}. */
    public static HandshakeDecision forbidden(String reason) {
        return refuse(403, reason);
    }

    /**
     * Sends {@code name: value} to the upstream with this handshake, replacing whatever the client sent or the
     * route computed under that name (e.g. {@code X-User-Id}); applied after the route's own header edits. Only
     * for {@link #allow()}ed handshakes.
     */
    public HandshakeDecision withUpstreamHeader(String name, String value) {
        requireAllowed("withUpstreamHeader");
        Map<String, String> copy = put(upstreamHeaders, checkedName(name), safe(name, value));
        return new HandshakeDecision(status, reason, copy, responseHeaders, upstream);
    }

    /** Adds a header to a refusal's response ({@code WWW-Authenticate}, {@code Retry-After}). Only for refusals. */
    public HandshakeDecision withResponseHeader(String name, String value) {
        if (isAllowed()) {
            throw new IllegalStateException("withResponseHeader is for refusals; an allowed handshake is answered"
                    + " with the upstream's 101");
        }
        Map<String, String> copy = put(responseHeaders, checkedName(name), safe(name, value));
        return new HandshakeDecision(status, reason, upstreamHeaders, copy, upstream);
    }

    /**
     * Sends this handshake to another upstream: {@code ws://host:port} or {@code wss://host:port} replaces the
     * route's scheme, host and port, while the path and query the route computed are kept. This is how an
     * authorizer picks an upstream member (a tenant's own backend, a sticky member); routes with upstream pools
     * treat it as the member to use. Only for {@link #allow()}ed handshakes.
     *
     * @throws IllegalArgumentException when {@code upstream} is not a {@code ws://} or {@code wss://} URI
     */
    public HandshakeDecision withUpstream(String upstream) {
        requireAllowed("withUpstream");
        URI uri = UpstreamUris.parse(upstream);
        return new HandshakeDecision(status, reason, upstreamHeaders, responseHeaders, uri);
    }

    /** Whether the handshake may go on. */
    public boolean isAllowed() {
        return status == 0;
    }

    /** The refusal's status, or 0 when allowed. */
    public int status() {
        return status;
    }

    /** The refusal's reason, or {@code ""} when allowed. */
    public String reason() {
        return reason;
    }

    /** Headers added to or replaced in the upstream handshake, in the order given. */
    public Map<String, String> upstreamHeaders() {
        return upstreamHeaders;
    }

    /** Headers of the refusal's response, in the order given. */
    public Map<String, String> responseHeaders() {
        return responseHeaders;
    }

    /** The upstream chosen instead of the route's (scheme, host and port used), or {@code null}. */
    public URI upstream() {
        return upstream;
    }

    @Override
    public String toString() {
        return isAllowed() ? "allow" + (upstreamHeaders.isEmpty() ? "" : " " + upstreamHeaders.keySet())
                + (upstream == null ? "" : " -> " + upstream) : "refuse " + status + " " + reason;
    }

    private void requireAllowed(String method) {
        if (!isAllowed()) {
            throw new IllegalStateException(method + " is for allowed handshakes but this one refuses with "
                    + status);
        }
    }

    private static Map<String, String> put(Map<String, String> map, String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(map);
        copy.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
        copy.put(name, value);
        return Collections.unmodifiableMap(copy);
    }

    private static String checkedName(String name) {
        Objects.requireNonNull(name, "header name");
        boolean token = !name.isEmpty()
                && name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0);
        if (!token) {
            throw new IllegalArgumentException("header name '" + name + "' is not an HTTP token (letters, digits,"
                    + " '-', no spaces)");
        }
        if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("header '" + name + "' belongs to the WebSocket handshake and cannot"
                    + " be set by an authorizer (use another name)");
        }
        return name;
    }

    private static String safe(String name, String value) {
        Objects.requireNonNull(value, name);
        if (!HeaderTokens.isSafeValue(value)) {
            throw new IllegalArgumentException(name + " value '" + value.replaceAll("[\\r\\n]", "\\\\n")
                    + "' has a CR, LF or other control character (remove it)");
        }
        return value;
    }
}
