package dev.wsproxy.internal.tunnel;

import dev.wsproxy.TunnelEndpoint;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * An upstream that answered the WebSocket handshake with a valid 101: its connection, the response headers
 * to hand on to the client, what it negotiated, and any bytes it sent after the 101 (its first frames, which
 * must reach the client). Immutable once built.
 */
public final class UpstreamHandshake {
    private static final List<String> UPGRADE = List.of("websocket");
    private static final List<String> CONNECTION = List.of("Upgrade");
    private static final String[] HANDED_ON = {"Sec-WebSocket-Accept", "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Extensions", "Set-Cookie"};
    final TunnelEndpoint endpoint;
    final Map<String, List<String>> headers;
    final String subprotocol;
    final boolean compression;
    final boolean otherExtensions;
    final ByteBuffer earlyBytes;

    UpstreamHandshake(TunnelEndpoint endpoint, Map<String, List<String>> headers, String subprotocol,
                      boolean compression, boolean otherExtensions, ByteBuffer earlyBytes) {
        this.endpoint = endpoint;
        this.headers = headers;
        this.subprotocol = subprotocol;
        this.compression = compression;
        this.otherExtensions = otherExtensions;
        this.earlyBytes = earlyBytes;
    }

    /** The upstream's 101 headers, names case-insensitive. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * The client's 101: {@code Upgrade}, {@code Connection}, and the upstream's {@code Sec-WebSocket-Accept}
     * (made for the client's own key), {@code -Protocol}, {@code -Extensions} and {@code Set-Cookie}s.
     */
    public Map<String, List<String>> clientHeaders() {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>(8);
        out.put("Upgrade", UPGRADE);
        out.put("Connection", CONNECTION);
        for (String name : HANDED_ON) {
            List<String> given = headers.get(name);
            if (given == null) {
                continue;
            }
            List<String> values = new java.util.ArrayList<>(given.size());
            for (String v : given) {
                if (dev.wsproxy.internal.HeaderTokens.isSafeValue(v)) {
                    values.add(v);
                }
            }
            if (!values.isEmpty()) {
                out.put(name, name.equals("Set-Cookie") ? List.copyOf(values) : List.of(String.join(", ", values)));
            }
        }
        return out;
    }

    /** The subprotocol the upstream chose, or {@code null}. */
    public String subprotocol() {
        return subprotocol;
    }

    /**
     * Ends a connection nobody will use (a pool's health check): sends a masked close frame 1000, then closes
     * the connection once it is written (or failed).
     */
    public void closeUnused() {
        endpoint.write(endpoint::close, failure -> endpoint.close(), Frames.close(1000, "health check", true));
    }

    /** Closes the upstream connection (the client could not be answered). */
    public void abandon() {
        endpoint.close();
    }
}
