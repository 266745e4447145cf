package dev.wsproxy.internal;

import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers the client's handshake with what the upstream decided: its chosen subprotocol (or none) and
 * its {@code Set-Cookie} headers. Every method is overridden so that no container-default configurator
 * found by {@code ServiceLoader} (tyrus-core registers one) takes part.
 *
 * <p>One instance per connection; the container calls it from the upgrading thread only.
 */
final class ClientHandshakeConfigurator extends ServerEndpointConfig.Configurator {

    private final Relay relay;
    private final String subprotocol;
    private final List<String> setCookies;

    ClientHandshakeConfigurator(Relay relay, String subprotocol, List<String> setCookies) {
        this.relay = relay;
        this.subprotocol = subprotocol;
        this.setCookies = setCookies;
    }

    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
        return subprotocol == null ? "" : subprotocol;
    }

    /**
     * Extensions are negotiated per hop. None unless the route allows client compression; then whatever both
     * the client and the container have, except permessage-deflate offers carrying
     * {@code server_max_window_bits}: Jetty accepts those without echoing the parameter, which RFC 7692
     * section 7.1.2.1 forbids (the client may then fail the connection), so such an offer is declined and the
     * client's next offer, if any, is taken.
     */
    @Override
    public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
        List<Extension> negotiated = new ArrayList<>();
        if (!relay.route().clientCompression()) {
            return negotiated;
        }
        for (Extension offer : requested) {
            if (offer.getParameters().stream().anyMatch(p -> "server_max_window_bits".equals(p.getName()))) {
                continue;
            }
            for (Extension available : installed) {
                if (available.getName().equals(offer.getName())
                        && negotiated.stream().noneMatch(e -> e.getName().equals(offer.getName()))) {
                    negotiated.add(offer);
                }
            }
        }
        return negotiated;
    }

    /** Origin was checked by the proxy before the upstream was contacted. */
    @Override
    public boolean checkOrigin(String originHeaderValue) {
        return true;
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
        if (!setCookies.isEmpty()) {
            response.getHeaders().put("Set-Cookie", new ArrayList<>(setCookies));
        }
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        return endpointClass.cast(relay.clientEndpoint());
    }
}
