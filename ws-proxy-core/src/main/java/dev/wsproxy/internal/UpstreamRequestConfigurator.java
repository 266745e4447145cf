package dev.wsproxy.internal;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.glassfish.tyrus.spi.UpgradeResponse;

/**
 * Puts the proxy's headers on one upstream handshake request and records the upstream's answer; shared by
 * every {@link UpstreamClient}. One instance per connection attempt: the client library calls it from its
 * connecting thread, the caller reads the results after the attempt ended (fields are volatile).
 */
public final class UpstreamRequestConfigurator extends ClientEndpointConfig.Configurator {

    private final Map<String, String> headers;
    private volatile int status;
    private volatile Map<String, List<String>> responseHeaders = Map.of();

    /** @param headers the headers to send; {@code Origin} absent means send none */
    public UpstreamRequestConfigurator(Map<String, String> headers) {
        this.headers = headers;
    }

    @Override
    public void beforeRequest(Map<String, List<String>> request) {
        if (!headers.containsKey("Origin")) {
            // Client libraries invent "Origin: http://<upstream>" otherwise; the upstream must see the client's.
            request.keySet().removeIf(name -> name.equalsIgnoreCase("Origin"));
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            request.keySet().removeIf(name -> name.equalsIgnoreCase(header.getKey()));
            request.put(header.getKey(), List.of(header.getValue()));
        }
    }

    @Override
    public void afterResponse(HandshakeResponse response) {
        if (response instanceof UpgradeResponse) {
            status = ((UpgradeResponse) response).getStatus();
        }
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        response.getHeaders().forEach((name, values) -> copy.put(name, new ArrayList<>(values)));
        responseHeaders = copy;
    }

    /** The upstream's HTTP status where the client library exposes it (Tyrus), else 0. */
    public int status() {
        return status;
    }

    /** The upstream's response headers (case-insensitive names); empty until it answered. */
    public Map<String, List<String>> responseHeaders() {
        return responseHeaders;
    }

    /**
     * The extensions the upstream's 101 accepted although the proxy offered none (message mode never offers any),
     * or {@code null}: RFC 6455 section 9.1 says the client must then fail the connection.
     */
    public static String unsolicitedExtensions(Map<String, List<String>> responseHeaders) {
        List<String> extensions = HeaderTokens.split(
                responseHeaders.getOrDefault("Sec-WebSocket-Extensions", List.of()));
        return extensions.isEmpty() ? null : String.join(", ", extensions);
    }

    /**
     * RFC 6455 section 9.1: an extension the client did not offer fails the connection. Tyrus and Jetty's
     * client accept one (and would then misread compressed frames), so the session is closed here with 1002
     * and the client gets 502.
     */
    public static void failOnUnsolicitedExtensions(String target, Session session,
                                                   Map<String, List<String>> responseHeaders) throws UpstreamFailure {
        String extensions = UpstreamRequestConfigurator.unsolicitedExtensions(responseHeaders);
        if (extensions == null) {
            return;
        }
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.PROTOCOL_ERROR,
                    "extension not offered"));
        } catch (java.io.IOException | RuntimeException e) {
            // the upstream is being failed anyway
        }
        throw new UpstreamFailure(502, "upstream " + UpstreamRequestConfigurator.origin(target) + " accepted"
                + " WebSocket extension '" + HandshakeValidator.printable(extensions) + "' which the proxy did not"
                + " offer (fix the upstream's extension negotiation)", null);
    }

    /** {@code scheme://host:port} of an upstream URI, for messages that must not echo its path. */
    public static String origin(String target) {
        int pathStart = target.indexOf('/', target.indexOf("://") + 3);
        return pathStart < 0 ? target : target.substring(0, pathStart);
    }
}
