package dev.wsproxy.jetty;

import java.util.ArrayList;
import java.util.List;

/** Raw handshake requests for {@link dev.wsproxy.testing.RawHttp}: a valid one, with fields changed. */
final class Handshakes {

    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    /** RFC 6455 section 1.3: the accept value for {@link #KEY}. */
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private final String requestLine;
    private final List<String> headers = new ArrayList<>(List.of(
            "Host: 127.0.0.1", "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Key: " + KEY));

    private Handshakes(String requestLine) {
        this.requestLine = requestLine;
    }

    /** A valid handshake for {@code GET path HTTP/1.1}. */
    static Handshakes get(String path) {
        return new Handshakes("GET " + path + " HTTP/1.1");
    }

    /** A valid handshake's headers under another request line. */
    static Handshakes line(String requestLine) {
        return new Handshakes(requestLine);
    }

    /** Drops every header line with this name. */
    Handshakes without(String name) {
        headers.removeIf(h -> h.regionMatches(true, 0, name + ":", 0, name.length() + 1));
        return this;
    }

    /** Replaces the header with this line ({@code "Name: value"}). */
    Handshakes with(String line) {
        return without(line.substring(0, line.indexOf(':'))).plus(line);
    }

    /** Adds a header line, keeping any with the same name. */
    Handshakes plus(String line) {
        headers.add(line);
        return this;
    }

    String[] lines() {
        List<String> all = new ArrayList<>();
        all.add(requestLine);
        all.addAll(headers);
        return all.toArray(new String[0]);
    }

    @Override
    public String toString() {
        return String.join(" | ", lines());
    }
}
