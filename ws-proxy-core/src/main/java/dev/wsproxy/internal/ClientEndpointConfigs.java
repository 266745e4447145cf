package dev.wsproxy.internal;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/** Builds the {@link ServerEndpointConfig} an adapter passes to {@code upgradeHttpToWebSocket}. */
public final class ClientEndpointConfigs {

    private ClientEndpointConfigs() {
    }

    /**
     * @param subprotocol the upstream's choice, or {@code null}
     * @param setCookies the upstream's {@code Set-Cookie} values
     */
    public static ServerEndpointConfig create(Relay relay, String subprotocol, List<String> setCookies) {
        return ServerEndpointConfig.Builder.create(RelayClientEndpoint.class, "/")
                .subprotocols(subprotocol == null ? List.of() : List.of(subprotocol))
                .configurator(new ClientHandshakeConfigurator(relay, subprotocol, setCookies))
                .build();
    }
}
