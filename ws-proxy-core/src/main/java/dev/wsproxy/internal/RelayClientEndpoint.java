package dev.wsproxy.internal;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;

/**
 * Container-side endpoint of a {@link Relay}: events of the client-to-proxy session. The container calls it
 * one event at a time per session. Public only because servlet containers check
 * endpoint classes reflectively; not an API.
 */
public final class RelayClientEndpoint extends Endpoint {
    private final Relay relay;

    RelayClientEndpoint(Relay relay) {
        this.relay = relay;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        // Idle policy is the proxy's (keepalive pings, idle timeout), not the container's default.
        session.setMaxIdleTimeout(0);
        session.addMessageHandler(String.class, (MessageHandler.Partial<String>) (part, last) ->
                relay.guarded("client text handler", () -> relay.clientToUpstream(part, null, last)));
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (part, last) ->
                relay.guarded("client binary handler", () -> relay.clientToUpstream(null, part, last)));
        session.addMessageHandler(PongMessage.class,
                (MessageHandler.Whole<PongMessage>) pong ->
                        relay.stats().pingRtt(true, relay.client.pongReceived()));
        relay.guarded("client onOpen", () -> relay.clientOpened(session));
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
        relay.closedGuarded(relay.client, closeReason);
    }

    @Override
    public void onError(Session session, Throwable error) {
        relay.guarded("client onError", () -> relay.errorReported(relay.client, error));
    }
}
